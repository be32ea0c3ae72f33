import { resolve } from 'node:path';
import { createEnvReader, type Env } from '@porten/shared/env';
import { AirgapError } from '@porten/airgap/airgapError';

/** What `npm start`, `npm run stop` and `npm run reset` act on, read once from the environment. */
export interface QuickStartConfig {
  /** PORTEN_SITE_DIR (default `.porten`, relative to the repository): the site's env file, secrets and data. */
  siteDir: string;
  /** PORTEN_PROJECT (default `porten`): the Compose project names `<project>` and `<project>-node`. */
  project: string;
  /** PORTEN_HUB_PORT (default 8080): the hub's published port on the loopback address. */
  hubPort: number;
}

/** Compose project names: lowercase letters, digits, dashes and underscores, starting with a letter or digit. */
const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/;

/** Reads and checks the quick start's settings; every problem at once, as one AirgapError('site_invalid'). */
export function loadQuickStartConfig(env: Env, repoRoot: string): QuickStartConfig {
  const problems: string[] = [];
  const read = createEnvReader(env, problems);
  const project = read.raw('PORTEN_PROJECT') ?? 'porten';
  if (!PROJECT_NAME.test(project)) problems.push(`PORTEN_PROJECT=${project} is not a Compose project name (lowercase letters, digits, - and _, starting with a letter or digit)`);
  const config = {
    siteDir: resolve(repoRoot, read.raw('PORTEN_SITE_DIR') ?? '.porten'),
    project,
    hubPort: read.int('PORTEN_HUB_PORT', 8080, 1, 65535),
  };
  if (problems.length > 0) throw new AirgapError('site_invalid', `invalid settings: ${problems.join('; ')}; fix them in the environment and run again`);
  return config;
}
