/** The hub's validated configuration. Built once at start-up by `loadConfig`; nothing else reads the environment. */
export interface HubConfig {
  /** HUB_DATABASE_URL (or _FILE): PostgreSQL connection string. Required. */
  databaseUrl: string;
  /** HUB_REDIS_URL (or _FILE): Redis connection string. Required. */
  redisUrl: string;
  /** HUB_REDIS_KEY_PREFIX, default `porten:`: prefix of every Redis key and channel (lets sites share a Redis). */
  redisKeyPrefix: string;
  /** HUB_HOST, default 127.0.0.1: address the HTTP server binds. */
  host: string;
  /** HUB_PORT, default 8080. */
  port: number;
  /** HUB_PUBLIC_URL, default http://HOST:PORT: base URL shown to nodes and operators (verification URL). */
  publicUrl: string;
  /** HUB_ADMIN_TOKEN (or _FILE): bootstrap admin token. If unset, one is generated on first start and printed once. */
  adminToken: string | undefined;
  /** HUB_REPLICA_ID, default hostname-pid: names this replica in presence records. */
  replicaId: string;
  /** HUB_HEARTBEAT_INTERVAL_MS, default 5000: how often nodes are asked to heartbeat. */
  heartbeatIntervalMs: number;
  /** HUB_PRESENCE_TTL_MS, default 15000: a node whose last heartbeat is older is offline. */
  presenceTtlMs: number;
  /** HUB_WARMUP_BUDGET_MS, default 120000: how long a request may wait for an on-demand model load. */
  warmupBudgetMs: number;
  /** HUB_DEMAND_WINDOW_MS, default 600000: a loaded model idle this long is unloaded. */
  demandWindowMs: number;
  /** HUB_FIRST_BYTE_TIMEOUT_MS, default 60000: a node that has not answered a dispatched request by then counts as failed (retry). */
  firstByteTimeoutMs: number;
  /**
   * HUB_STREAM_STALL_TIMEOUT_MS, default 120000: after its first byte, a node that sends nothing for
   * this long (while the hub has not paused it) fails the response with node_error.
   */
  streamStallTimeoutMs: number;
  /** HUB_DRAIN_TIMEOUT_MS, default 30000: on SIGTERM, how long in-flight requests may take to finish before tunnels are cut. */
  drainTimeoutMs: number;
  /** HUB_MAX_BODY_BYTES, default 4194304: larger request bodies get 413. */
  maxBodyBytes: number;
  /**
   * HUB_BLOB_DIR, default `./data/blobs` (resolved against the working directory at start-up): the
   * model mirror's content-addressed blob store (`sha256-<hex>` files). Created at start if missing.
   */
  blobDir: string;
  /**
   * HUB_RELEASE_DIR, optional: the agent release this hub hands to nodes (`porten`,
   * `porten-payload.tar.gz`, `release.json`), served at /install.sh and /install/*. The hub image
   * sets it to /opt/porten/release; unset, those routes answer 404 saying so.
   */
  releaseDir: string | undefined;
  /** HUB_MAX_MODEL_BYTES, default 214748364800 (200 GiB): largest GGUF file accepted by an import; larger is 413. */
  maxModelBytes: number;
  /** HUB_RETRY_AFTER_S, default 5: Retry-After on 503 refusals. */
  retryAfterS: number;
  /** HUB_KEY_MAX_CONCURRENCY, default 64: in-flight requests per API key on this replica before 429. */
  keyMaxConcurrency: number;
  /** HUB_ENROLLMENT_TTL_S, default 900: how long an enrollment code stays valid. */
  enrollmentTtlS: number;
  /** HUB_METRICS_AUTH, `token` (default: any admin token, any role) or `none`. */
  metricsAuth: 'token' | 'none';
  /** HUB_LOG_LEVEL, `debug` | `info` (default) | `warn` | `error`. */
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}
