import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { freePort } from '@porten/testkit/freePort';
import { loadConfig, type HubConfig } from '../../src/config/index.ts';
import { startHub, type RunningHub } from '../../src/hub.ts';
import { createLogger } from '@porten/shared/log';
import { createTestDatabase } from './testDatabase.ts';

export interface TestHub {
  url: string;
  adminToken: string;
  hub: RunningHub;
  config: HubConfig;
  databaseUrl: string;
  close(): Promise<void>;
}

/**
 * A real hub, in-process, on a free loopback port, against a fresh database in the run's PostgreSQL
 * and its own key prefix in the run's Redis. `env` overrides HUB_* settings (as strings, like the
 * environment would), e.g. `{ HUB_WARMUP_BUDGET_MS: '500' }` or other servers' URLs.
 */
export async function startTestHub(env: Record<string, string> = {}): Promise<TestHub> {
  const db = await createTestDatabase(env.HUB_POSTGRES_SERVER_URL ?? inject('postgresUrl'));
  const adminToken = `porten-admin-${randomBytes(18).toString('base64url')}`;
  const blobDir = mkdtempSync(join(tmpdir(), 'porten-blobs-'));
  const port = await freePort();
  const { HUB_POSTGRES_SERVER_URL: _ignored, ...rest } = env;
  const config = loadConfig({
    HUB_DATABASE_URL: db.url,
    HUB_REDIS_URL: inject('redisUrl'),
    HUB_REDIS_KEY_PREFIX: `t${randomBytes(4).toString('hex')}:`,
    // A real port (not 0) so HUB_PUBLIC_URL — the mirror URL in `load` frames — is right.
    HUB_PORT: String(port),
    HUB_PUBLIC_URL: `http://127.0.0.1:${port}`,
    HUB_BLOB_DIR: blobDir,
    HUB_ADMIN_TOKEN: adminToken,
    HUB_HEARTBEAT_INTERVAL_MS: '200',
    HUB_PRESENCE_TTL_MS: '1000',
    HUB_LOG_LEVEL: process.env.PORTEN_TEST_LOG ? 'debug' : 'error',
    ...rest,
  });
  const hub = await startHub(config, createLogger(config.logLevel));
  return {
    url: hub.url,
    adminToken,
    hub,
    config,
    databaseUrl: db.url,
    async close() {
      await hub.close();
      await db.drop();
      rmSync(blobDir, { recursive: true, force: true });
    },
  };
}
