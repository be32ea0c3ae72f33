import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { HubError } from '../errors/hubError.ts';
import { createEnvReader, type Env } from '@porten/shared/env';
import type { HubConfig } from './types.ts';


/**
 * read → parse → validate. Every problem is collected and reported at once, before anything starts:
 * an operator fixing a compose env file should not have to restart once per typo.
 * Secrets may come from `<NAME>_FILE` (Docker/Compose secrets); setting both is an error.
 */
export function loadConfig(env: Env): HubConfig {
  const problems: string[] = [];

  const { raw, int, oneOf } = createEnvReader(env, problems);

  const required = (name: string, hint: string): string => {
    const v = raw(name);
    if (v === undefined) problems.push(`${name} is required: ${hint}`);
    return v ?? '';
  };

  const databaseUrl = required('HUB_DATABASE_URL', 'e.g. postgres://porten:secret@127.0.0.1:5432/porten');
  const redisUrl = required('HUB_REDIS_URL', 'e.g. redis://127.0.0.1:6379');
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push('HUB_DATABASE_URL must start with postgres://');
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) problems.push('HUB_REDIS_URL must start with redis:// or rediss://');

  const host = raw('HUB_HOST') ?? '127.0.0.1';
  const port = int('HUB_PORT', 8080, 0, 65535);
  const publicUrl = (raw('HUB_PUBLIC_URL') ?? `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(/\/+$/, '');
  if (!/^https?:\/\//.test(publicUrl)) problems.push(`HUB_PUBLIC_URL=${publicUrl} must start with http:// or https://`);

  const adminToken = raw('HUB_ADMIN_TOKEN');
  if (adminToken !== undefined && adminToken.length < 24) problems.push('HUB_ADMIN_TOKEN must be at least 24 characters');

  const heartbeatIntervalMs = int('HUB_HEARTBEAT_INTERVAL_MS', 5000, 100);
  const presenceTtlMs = int('HUB_PRESENCE_TTL_MS', 15000, 300);
  if (presenceTtlMs < heartbeatIntervalMs * 2) {
    problems.push(`HUB_PRESENCE_TTL_MS (${presenceTtlMs}) must be at least twice HUB_HEARTBEAT_INTERVAL_MS (${heartbeatIntervalMs})`);
  }

  const config: HubConfig = {
    databaseUrl,
    redisUrl,
    redisKeyPrefix: raw('HUB_REDIS_KEY_PREFIX') ?? 'porten:',
    host,
    port,
    publicUrl,
    adminToken,
    replicaId: raw('HUB_REPLICA_ID') ?? `${hostname()}-${process.pid}`,
    heartbeatIntervalMs,
    presenceTtlMs,
    warmupBudgetMs: int('HUB_WARMUP_BUDGET_MS', 120_000, 0),
    demandWindowMs: int('HUB_DEMAND_WINDOW_MS', 600_000, 1000),
    firstByteTimeoutMs: int('HUB_FIRST_BYTE_TIMEOUT_MS', 60_000, 100),
    streamStallTimeoutMs: int('HUB_STREAM_STALL_TIMEOUT_MS', 120_000, 100),
    drainTimeoutMs: int('HUB_DRAIN_TIMEOUT_MS', 30_000, 0),
    maxBodyBytes: int('HUB_MAX_BODY_BYTES', 4 * 1024 * 1024, 1024),
    blobDir: resolve(raw('HUB_BLOB_DIR') ?? './data/blobs'),
    releaseDir: raw('HUB_RELEASE_DIR') === undefined ? undefined : resolve(raw('HUB_RELEASE_DIR')!),
    maxModelBytes: int('HUB_MAX_MODEL_BYTES', 200 * 1024 ** 3, 1024),
    retryAfterS: int('HUB_RETRY_AFTER_S', 5, 1, 3600),
    keyMaxConcurrency: int('HUB_KEY_MAX_CONCURRENCY', 64, 1),
    enrollmentTtlS: int('HUB_ENROLLMENT_TTL_S', 900, 30),
    metricsAuth: oneOf('HUB_METRICS_AUTH', ['token', 'none'] as const, 'token'),
    logLevel: oneOf('HUB_LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info'),
  };

  if (problems.length > 0) {
    throw new HubError('config_invalid', `configuration is invalid:\n  - ${problems.join('\n  - ')}`);
  }
  return config;
}
