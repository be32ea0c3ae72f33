import { Router } from 'express';
import { authenticateAdmin } from '../admin/adminAuth.ts';
import type { HubDeps } from '../deps.ts';

/**
 * `GET /metrics` in Prometheus text format. Needs an admin token of any role (auditors included)
 * unless HUB_METRICS_AUTH=none. `beforeScrape` refreshes gauges that are cheaper to compute on demand.
 */
export function createMetricsRouter(deps: HubDeps, beforeScrape: () => Promise<void>): Router {
  const router = Router();
  const handlers = deps.config.metricsAuth === 'token' ? [authenticateAdmin(deps)] : [];
  router.get('/metrics', ...handlers, async (_req, res) => {
    await beforeScrape();
    res.setHeader('Content-Type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });
  return router;
}
