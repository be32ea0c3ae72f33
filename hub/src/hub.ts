import { createServer, type Server } from 'node:http';
import express from 'express';
import { AuditLog } from './audit/index.ts';
import { createAdminRouter, ensureBootstrapAdmin } from './admin/index.ts';
import type { HubConfig } from './config/index.ts';
import { createConsoleRouter } from './console/index.ts';
import { assertSchemaCurrent } from './db/migrate.ts';
import { createPool } from './db/pool.ts';
import type { HubDeps } from './deps.ts';
import { createEnrollRouter } from './enroll/index.ts';
import { createInstallRouter } from './install/index.ts';
import { EventBus, createRedis } from './events/index.ts';
import { createHealthRouter } from './http/health.ts';
import { errorMiddleware } from './http/errorResponse.ts';
import { requestId } from './http/requestId.ts';
import { unknownRoute } from './http/unknownRoute.ts';
import type { Logger } from '@porten/shared/log';
import { createHubMetrics } from './metrics/index.ts';
import { PresenceStore, RedisHealth } from './presence/index.ts';
import { createMetricsRouter } from './http/metricsRoute.ts';
import { BlobStore, createMirrorRouter } from './mirror/index.ts';
import { createOpenAIRouter } from './api/index.ts';
import { ModelPlacement, Router as RequestRouter, RoutingDirectory } from './routing/index.ts';
import { TunnelRegistry, attachTunnelServer, startTunnelRevalidation } from './tunnel/index.ts';
import { updateNodesOnline } from './metrics/updateNodesOnline.ts';

/** How often tunnels are checked against the node table (revocation backstop; see revalidateTunnels.ts). */
const REVALIDATE_TUNNELS_MS = 5_000;

export interface RunningHub {
  /** Base URL the server listens on, e.g. http://127.0.0.1:41234 */
  url: string;
  deps: HubDeps;
  server: Server;
  /** The node tunnels connected to this replica. */
  registry: TunnelRegistry;
  /**
   * Graceful stop, idempotent: stop accepting connections, let in-flight requests finish (up to
   * HUB_DRAIN_TIMEOUT_MS), then close tunnels, flush the audit log, close pools.
   */
  close(): Promise<void>;
}

/**
 * The composition root: builds every part from the config and wires them together.
 * Refuses to start against a schema that is not exactly the one this hub knows.
 */
export async function startHub(config: HubConfig, log: Logger): Promise<RunningHub> {
  const pool = createPool(config.databaseUrl);
  await assertSchemaCurrent(pool);
  const blobs = new BlobStore(config.blobDir);
  await blobs.prepare();

  const redis = createRedis(config.redisUrl);
  await redis.connect().catch((err: Error) => log.warn('redis not reachable at start; requests are refused until it is', { err: err.message }));
  const events = new EventBus(redis, config.redisUrl, config.redisKeyPrefix, config.replicaId);
  await events.start();
  const metrics = createHubMetrics();
  const deps: HubDeps = {
    config,
    log,
    pool,
    redis,
    events,
    metrics,
    audit: new AuditLog(pool, metrics),
    presence: new PresenceStore(redis, config.redisKeyPrefix, config.presenceTtlMs),
    redisHealth: new RedisHealth(redis),
  };
  await ensureBootstrapAdmin(deps);

  const registry = new TunnelRegistry(events);
  const directory = new RoutingDirectory(pool, events);
  const placement = new ModelPlacement(config, registry, redis, log);
  const router = new RequestRouter(deps, directory, registry, placement);
  const stopRevalidation = startTunnelRevalidation(registry, async (id) => (await directory.node(id)) !== undefined, REVALIDATE_TUNNELS_MS, log);

  // Draining (first SIGTERM): /readyz says so, responses ask clients to reconnect elsewhere, and
  // requests already arriving are still served through the still-open tunnels.
  let draining = false;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false); // API answers are never cached; hashing every body for an ETag is wasted work
  app.set('trust proxy', false);
  app.use(requestId);
  app.use((_req, res, next) => {
    if (draining) res.setHeader('Connection', 'close');
    next();
  });
  app.use(createHealthRouter(deps, () => draining));
  app.use(createEnrollRouter(deps)); // before any /v1 API-key router: enrollment is unauthenticated by design
  app.use(createConsoleRouter());
  app.use(createInstallRouter(deps)); // unauthenticated like enrollment: the agent is no secret, approval is
  app.use(createMetricsRouter(deps, () => updateNodesOnline(registry, directory, metrics, config.presenceTtlMs)));
  app.use('/admin/v1', createAdminRouter(deps));
  app.use(createMirrorRouter(deps, blobs)); // before the OpenAI router, whose catch-all answers unknown /v1 paths
  app.use(createOpenAIRouter({ deps, directory, placement, router }));
  app.use(unknownRoute);
  app.use(errorMiddleware(log, config.retryAfterS));

  const server = createServer(app);
  server.keepAliveTimeout = 65_000;
  // Node's default 5-minute limit on receiving a whole request would cut weight imports of large
  // models (PUT /admin/v1/models/{id}/weights, authenticated). Slow-header clients are still cut by
  // headersTimeout (60 s); bodies are bounded by HUB_MAX_BODY_BYTES / HUB_MAX_MODEL_BYTES.
  server.requestTimeout = 0;
  const tunnels = attachTunnelServer(server, deps, registry);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  log.info('hub listening', { url, replica: config.replicaId });
  let closing: Promise<void> | undefined;

  return {
    url,
    deps,
    server,
    registry,
    close() {
      closing ??= drainAndClose();
      return closing;
    },
  };

  async function drainAndClose(): Promise<void> {
    draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    // In-flight requests finish on their nodes before the tunnels go (bounded by HUB_DRAIN_TIMEOUT_MS).
    const idle = await router.drained(config.drainTimeoutMs);
    if (!idle) log.warn('drain timeout: cutting requests still in flight', { inFlight: router.inFlight });
    stopRevalidation();
    tunnels.close();
    placement.close();
    server.closeAllConnections();
    await closed;
    await deps.audit.close();
    deps.redisHealth.stop();
    await events.stop();
    redis.disconnect();
    await pool.end();
  }
}
