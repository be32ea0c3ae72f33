import type pg from 'pg';
import { HubError } from '../errors/index.ts';
import { knownMigrations, type Migration } from './migrations/index.ts';

const LOCK_ID = 0x706f7274; // 'port': one migrator at a time across replicas

async function ensureTable(client: pg.PoolClient | pg.Pool): Promise<void> {
  await client.query(`create table if not exists schema_migrations (
    version integer primary key, name text not null, applied_at timestamptz not null default now())`);
}

export interface SchemaStatus {
  current: number;
  latestKnown: number;
  pending: Migration[];
}

export async function schemaStatus(db: Pick<pg.Pool, 'query'> | pg.PoolClient, migrations = knownMigrations()): Promise<SchemaStatus> {
  const exists = await db.query(`select to_regclass('schema_migrations') is not null as ok`);
  const current = exists.rows[0].ok
    ? Number((await db.query('select coalesce(max(version), 0) as v from schema_migrations')).rows[0].v)
    : 0;
  const latestKnown = migrations.at(-1)?.version ?? 0;
  return { current, latestKnown, pending: migrations.filter((m) => m.version > current) };
}

/** Applies pending migrations, each in its own transaction, under an advisory lock. Returns what ran. */
export async function migrate(pool: pg.Pool, migrations = knownMigrations()): Promise<Migration[]> {
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [LOCK_ID]);
    await ensureTable(client);
    const { current, latestKnown } = await schemaStatus(client, migrations);
    if (current > latestKnown) {
      throw new HubError('schema_mismatch', `database schema is version ${current}, newer than this hub knows (${latestKnown}): run a newer porten-hub release`);
    }
    const applied: Migration[] = [];
    for (const m of migrations.filter((x) => x.version > current)) {
      await client.query('begin');
      try {
        await client.query(m.sql);
        await client.query('insert into schema_migrations (version, name) values ($1, $2)', [m.version, m.name]);
        await client.query('commit');
        applied.push(m);
      } catch (err) {
        await client.query('rollback');
        throw new HubError('schema_mismatch', `migration ${m.version}_${m.name} failed: ${(err as Error).message}`, { cause: err });
      }
    }
    return applied;
  } finally {
    await client.query('select pg_advisory_unlock($1)', [LOCK_ID]).catch(() => undefined);
    client.release();
  }
}

/** Start-up gate: the hub refuses a schema newer than it knows, and one with pending migrations. */
export async function assertSchemaCurrent(pool: pg.Pool): Promise<void> {
  const s = await schemaStatus(pool);
  if (s.current > s.latestKnown) {
    throw new HubError('schema_mismatch', `database schema is version ${s.current}, newer than this hub knows (${s.latestKnown}): run a newer porten-hub release`);
  }
  if (s.current < s.latestKnown) {
    throw new HubError('schema_mismatch', `database schema is version ${s.current}, this hub needs ${s.latestKnown}: run \`porten-hub migrate\` first`);
  }
}
