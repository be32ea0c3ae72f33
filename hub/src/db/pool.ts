import pg from 'pg';

// Wire formats chosen once for the whole hub: timestamps as ISO strings (what the API returns),
// int8 as JS numbers (sequence numbers and byte sizes stay far below 2^53).
pg.types.setTypeParser(pg.types.builtins.TIMESTAMPTZ, (v) => new Date(v).toISOString());
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/**
 * The PostgreSQL pool. Short connect timeout so an unreachable database turns into a quick refusal
 * (fail closed) instead of requests hanging; the pool reconnects by itself when the server is back.
 */
export function createPool(databaseUrl: string, max = 20): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max,
    connectionTimeoutMillis: 2000,
    idleTimeoutMillis: 30_000,
    query_timeout: 10_000,
  });
  // An idle client losing its server emits here; without a listener it would crash the process.
  pool.on('error', () => undefined);
  return pool;
}
