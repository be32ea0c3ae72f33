import type { HubDeps } from '../deps.ts';
import type { ModelPlacement, Router, RoutingDirectory } from '../routing/index.ts';

/** What the OpenAI-compatible endpoints need, passed explicitly from the composition root. */
export interface ApiContext {
  deps: HubDeps;
  directory: RoutingDirectory;
  placement: ModelPlacement;
  router: Router;
}
