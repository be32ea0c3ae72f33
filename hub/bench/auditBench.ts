/**
 * Audit append benchmark: `npx node hub/bench/auditBench.ts` (Node 24; `npx` puts the repo's Node 24
 * first on the PATH). Starts a private PostgreSQL (scripts/testkit), then measures AuditLog.append:
 * latency p50/p99 and appends/s at concurrency 1, 16 and 64, and two replicas (two AuditLogs, two
 * pools) sharing one chain. Runs each twice: with the test server's fsync=off (what round trips and
 * group commit cost) and with fsync=on (what a durable commit on this disk costs). Ends with a
 * verifyChain pass over everything written, in records/s. Figures, not pass/fail.
 */
import pg from 'pg';
import { startPostgres } from '@porten/testkit/postgresServer';
import { AuditLog, verifyChain } from '../src/audit/index.ts';
import { sampleEntry } from '../src/audit/sampleEntries.ts';
import { migrate } from '../src/db/migrate.ts';
import { createPool } from '../src/db/pool.ts';
import { createHubMetrics } from '../src/metrics/index.ts';
import { loadSettings } from '@porten/shared/env';

const SECONDS = loadSettings(process.env, 'npm run bench:hub (audit)', (read) => read.int('AUDIT_BENCH_SECONDS', 3, 1, 3600));

interface Result {
  appends: number;
  perSecond: number;
  p50: number;
  p99: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Closed loop: `concurrency` callers per log, each appending back to back for SECONDS. */
async function run(logs: AuditLog[], concurrency: number): Promise<Result> {
  const latencies: number[] = [];
  const deadline = performance.now() + SECONDS * 1000;
  const start = performance.now();
  const caller = async (log: AuditLog) => {
    while (performance.now() < deadline) {
      const t = performance.now();
      await log.append(sampleEntry());
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(logs.flatMap((log) => Array.from({ length: concurrency }, () => caller(log))));
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { appends: latencies.length, perSecond: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

function line(label: string, r: Result): string {
  return `  ${label.padEnd(24)} p50 ${r.p50.toFixed(3).padStart(7)} ms   p99 ${r.p99.toFixed(3).padStart(7)} ms   ${Math.round(r.perSecond).toString().padStart(7)} appends/s   (${r.appends} appends)`;
}

async function scenarios(poolA: pg.Pool, poolB: pg.Pool): Promise<void> {
  const a = new AuditLog(poolA, createHubMetrics());
  const b = new AuditLog(poolB, createHubMetrics());
  await Promise.all(Array.from({ length: 200 }, () => a.append(sampleEntry()))); // warm connections and plans
  for (const c of [1, 16, 64]) console.log(line(`concurrency ${c}`, await run([a], c)));
  console.log(line('2 replicas x 1', await run([a, b], 1)));
  console.log(line('2 replicas x 32', await run([a, b], 32)));
  await Promise.all([a.close(), b.close()]);
}

/** One query on a fresh connection (pooled ones may not have processed the reload yet). */
async function pg1(url: string, sql: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Object.values((await client.query(sql)).rows[0])[0];
  } finally {
    await client.end();
  }
}

const server = await startPostgres();
try {
  const poolA = createPool(server.url, 10);
  const poolB = createPool(server.url, 10);
  await migrate(poolA);
  const version = (await poolA.query('show server_version')).rows[0].server_version;
  console.log(`audit append benchmark — PostgreSQL ${version} on loopback, Node ${process.version}, ${SECONDS} s per row`);

  console.log('fsync=off (round trips + group commit; the commit itself is not flushed to disk):');
  await scenarios(poolA, poolB);

  await poolA.query('alter system set fsync = on');
  await poolA.query('select pg_reload_conf()');
  // The reload reaches each backend asynchronously: wait until a fresh one reports it.
  for (let i = 0; (await pg1(server.url, 'show fsync')) !== 'on'; i++) {
    if (i > 100) throw new Error('fsync did not switch on after pg_reload_conf()');
    await new Promise((r) => setTimeout(r, 50));
  }
  console.log('fsync=on (each commit waits for the WAL flush to this disk):');
  await scenarios(poolA, poolB);

  const t = performance.now();
  const v = await verifyChain(poolA);
  const s = (performance.now() - t) / 1000;
  console.log(`verifyChain: ${v.ok ? 'ok' : `BROKEN at ${v.first_bad?.seq}`}, ${v.records} records in ${s.toFixed(2)} s (${Math.round(v.records / s)} records/s)`);
  await Promise.all([poolA.end(), poolB.end()]);
} finally {
  await server.destroy();
}
