import { Router } from 'express';
import type { HubDeps } from '../deps.ts';
import { schemaStatus } from '../db/migrate.ts';

/**
 * `/healthz`: the process is alive. `/readyz`: this replica can serve — PostgreSQL and Redis answer
 * and the schema is the one this hub knows, and it is not draining. Load balancers and compose health
 * checks use /readyz.
 */
export function createHealthRouter(deps: Pick<HubDeps, 'pool' | 'redis'>, isDraining: () => boolean): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    if (isDraining()) {
      res.status(503).json({ status: 'draining', checks: {} });
      return;
    }
    const checks: Record<string, string> = {};
    try {
      const s = await schemaStatus(deps.pool);
      checks.postgres = 'ok';
      checks.migrations = s.current === s.latestKnown ? 'ok' : `schema ${s.current}, hub needs ${s.latestKnown}`;
    } catch (err) {
      checks.postgres = `unreachable: ${(err as Error).message}`;
      checks.migrations = 'unknown';
    }
    try {
      await deps.redis.ping();
      checks.redis = 'ok';
    } catch (err) {
      checks.redis = `unreachable: ${(err as Error).message}`;
    }
    const ready = Object.values(checks).every((v) => v === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks });
  });
  return router;
}
