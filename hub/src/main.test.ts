import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createTestDatabase } from '../test/support/testDatabase.ts';

const main = new URL('./main.ts', import.meta.url).pathname;
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [main, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8', timeout: 20_000 });

/** The porten-hub command line: one clear line and a non-zero exit for every mistake. */
describe('porten-hub CLI', () => {
  it('prints its version', () => {
    const r = run(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^porten-hub \d+\.\d+\.\d+/);
  });

  it('rejects an unknown command with usage and exit 2', () => {
    const r = run(['frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown command "frobnicate"');
  });

  it('rejects an unknown option with exit 2', () => {
    const r = run(['migrate', '--force']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown option "--force" for migrate');
  });

  it('healthcheck exits 1 and says why when no hub answers', async () => {
    const { freePort } = await import('@porten/testkit/freePort');
    const port = await freePort();
    const r = run(['healthcheck'], { HUB_DATABASE_URL: 'postgres://x@127.0.0.1/x', HUB_REDIS_URL: 'redis://127.0.0.1:1', HUB_PORT: String(port) });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`porten-hub: not ready (no answer on 127.0.0.1:${port}`);
  });

  it('lists every configuration problem at once and exits 1', () => {
    const r = run(['serve'], { HUB_PORT: 'x' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('HUB_DATABASE_URL is required');
    expect(r.stderr).toContain('HUB_REDIS_URL is required');
    expect(r.stderr).toContain('HUB_PORT=x');
  });

  it('migrates a fresh database, then refuses to serve a schema newer than it knows', async () => {
    const server = inject('postgresUrl');
    const db = await createTestDatabase(server);
    try {
      const env = { HUB_DATABASE_URL: db.url, HUB_REDIS_URL: inject('redisUrl') };
      const m = run(['migrate'], env);
      expect(m.stderr).toBe('');
      expect(m.status).toBe(0);
      expect(m.stdout).toContain('schema is up to date');
      const pg = await import('pg');
      const c = new pg.default.Client({ connectionString: db.url });
      await c.connect();
      await c.query(`insert into schema_migrations (version, name) values (999, 'future')`);
      await c.end();
      const again = run(['serve', '--migrate'], { ...env, HUB_PORT: '0' });
      expect(again.status).toBe(1); // --migrate runs first: it refuses the unknown version too
      expect(again.stderr).toContain('newer than this hub knows');
      const s = run(['serve'], { ...env, HUB_PORT: '0' });
      expect(s.status).toBe(1);
      expect(s.stderr).toContain('newer than this hub knows');
    } finally {
      await db.drop();
    }
  });
});
