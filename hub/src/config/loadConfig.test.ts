import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HubError } from '../errors/index.ts';
import { loadConfig } from './loadConfig.ts';

const base = { HUB_DATABASE_URL: 'postgres://p@127.0.0.1/db', HUB_REDIS_URL: 'redis://127.0.0.1:6379' };

describe('loadConfig', () => {
  it('applies documented defaults', () => {
    const c = loadConfig(base);
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(8080);
    expect(c.publicUrl).toBe('http://127.0.0.1:8080');
    expect(c.warmupBudgetMs).toBe(120_000);
    expect(c.redisKeyPrefix).toBe('porten:');
    expect(c.blobDir).toBe(join(process.cwd(), 'data', 'blobs'));
    expect(c.maxModelBytes).toBe(200 * 1024 ** 3);
  });

  it('resolves HUB_BLOB_DIR against the working directory and bounds HUB_MAX_MODEL_BYTES', () => {
    expect(loadConfig({ ...base, HUB_BLOB_DIR: '/srv/porten/blobs' }).blobDir).toBe('/srv/porten/blobs');
    expect(loadConfig({ ...base, HUB_BLOB_DIR: 'mirror' }).blobDir).toBe(join(process.cwd(), 'mirror'));
    expect(() => loadConfig({ ...base, HUB_MAX_MODEL_BYTES: '10' })).toThrow(/HUB_MAX_MODEL_BYTES=10/);
  });

  it('reports every problem at once', () => {
    let err: unknown;
    try {
      loadConfig({ HUB_PORT: 'eighty', HUB_LOG_LEVEL: 'loud', HUB_ADMIN_TOKEN: 'short' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HubError);
    const msg = (err as Error).message;
    for (const part of ['HUB_DATABASE_URL is required', 'HUB_REDIS_URL is required', 'HUB_PORT=eighty', 'HUB_LOG_LEVEL=loud', 'HUB_ADMIN_TOKEN must be at least 24']) {
      expect(msg).toContain(part);
    }
  });

  it('rejects a presence TTL shorter than two heartbeats', () => {
    expect(() => loadConfig({ ...base, HUB_HEARTBEAT_INTERVAL_MS: '5000', HUB_PRESENCE_TTL_MS: '6000' })).toThrow(/at least twice/);
  });

  it('reads secrets from _FILE variants and refuses both forms at once', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'token'), 'x'.repeat(30) + '\n');
    expect(loadConfig({ ...base, HUB_ADMIN_TOKEN_FILE: join(dir, 'token') }).adminToken).toBe('x'.repeat(30));
    expect(() => loadConfig({ ...base, HUB_ADMIN_TOKEN: 'y'.repeat(30), HUB_ADMIN_TOKEN_FILE: join(dir, 'token') })).toThrow(/both set/);
  });
});
