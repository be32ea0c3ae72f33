import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/testDatabase.ts';
import { assertSchemaCurrent, migrate, schemaStatus } from './migrate.ts';
import { createPool } from './pool.ts';
import type pg from 'pg';

describe('migrations (real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url, 2);
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('brings a database to the latest known version and is idempotent', async () => {
    const s = await schemaStatus(pool);
    expect(s.current).toBe(s.latestKnown);
    expect(await migrate(pool)).toEqual([]);
    await expect(assertSchemaCurrent(pool)).resolves.toBeUndefined();
  });

  it('refuses a schema newer than the hub knows', async () => {
    await pool.query(`insert into schema_migrations (version, name) values (9999, 'from_the_future')`);
    try {
      await expect(assertSchemaCurrent(pool)).rejects.toThrow(/version 9999, newer than this hub knows/);
      await expect(migrate(pool)).rejects.toThrow(/newer than this hub knows/);
    } finally {
      await pool.query('delete from schema_migrations where version = 9999');
    }
  });
});
