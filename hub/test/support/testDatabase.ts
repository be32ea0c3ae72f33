import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { migrate } from '../../src/db/migrate.ts';
import { createPool } from '../../src/db/pool.ts';

/**
 * A fresh, migrated database inside the run's PostgreSQL server (or the one at `serverUrl`), so test
 * files are isolated from each other while sharing one server.
 */
export async function createTestDatabase(serverUrl: string = inject('postgresUrl')): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `porten_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = serverUrl.replace(/\/[^/]*$/, `/${name}`);
  const pool = createPool(url, 2);
  await migrate(pool);
  await pool.end();
  return {
    url,
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
