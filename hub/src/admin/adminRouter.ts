import { Router } from 'express';
import { jsonBody } from '../http/jsonBody.ts';
import type { HubDeps } from '../deps.ts';
import { HubError } from '../errors/index.ts';
import { authenticateAdmin, requireRole } from './adminAuth.ts';
import type { AdminRoute } from './adminRoute.ts';
import { auditRoutes } from './auditRoutes.ts';
import { enrollmentsRoutes } from './enrollmentsRoutes.ts';
import { keysRoutes } from './keysRoutes.ts';
import { logAdminWrites } from './logAdminWrites.ts';
import { modelsRoutes } from './modelsRoutes.ts';
import { nodesRoutes } from './nodesRoutes.ts';
import { openApiDocument } from './openapi.ts';
import { installsRoutes } from './installsRoutes.ts';
import { orgsRoutes } from './orgsRoutes.ts';
import { tokensRoutes } from './tokensRoutes.ts';

/** Admin bodies are small JSON documents; anything bigger is a mistake (413). */
const ADMIN_BODY_LIMIT = '256kb';

/** Every admin route, in the order they are registered. */
export function adminRoutes(deps: HubDeps): AdminRoute[] {
  return [...orgsRoutes(deps), ...keysRoutes(deps), ...enrollmentsRoutes(deps), ...nodesRoutes(deps), ...modelsRoutes(deps), ...tokensRoutes(deps), ...auditRoutes(deps), ...installsRoutes(deps)];
}

/**
 * The admin API, mounted at /admin/v1. Order matters and is the contract:
 *   1. GET /openapi.json — public (describes the API, reveals no data);
 *   2. authentication — before the body is even parsed, so anonymous callers cost nothing;
 *   3. JSON body parsing (malformed JSON → 400 invalid_request_error, via http/errorResponse.ts; not
 *      `strict`, so a valid non-object body reaches the validator and gets its clearer message);
 *   4. write logging; 5. each route behind `requireRole`; 6. unknown routes → 404 not_found.
 */
export function createAdminRouter(deps: HubDeps): Router {
  const router = Router();
  const doc = openApiDocument();
  router.get('/openapi.json', (_req, res) => {
    res.json(doc);
  });
  router.use(authenticateAdmin(deps));
  router.use(...jsonBody({ limit: ADMIN_BODY_LIMIT, strict: false }));
  router.use(logAdminWrites(deps.log));
  for (const route of adminRoutes(deps)) {
    router[route.method](route.path, requireRole(...route.roles), route.handle);
  }
  router.use((req) => {
    throw new HubError('not_found', `no admin route ${req.method} /admin/v1${req.path}: see /admin/v1/openapi.json`);
  });
  return router;
}
