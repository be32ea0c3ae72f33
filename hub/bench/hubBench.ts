/**
 * `npm run bench:hub` — what the hub adds to a request, with everything on (key auth, validation,
 * policy filter, Redis presence check, durable hash-chained audit record before dispatch, metrics).
 *
 * Set-up: real PostgreSQL (durable: fsync and synchronous commit on) and Redis on loopback; the hub
 * as its own process (`node hub/src/main.ts`); one protocol-level test node answering instantly over
 * the real tunnel (the benchmark's load fixture). Latency at concurrency 1 is measured from this
 * process (it reads the hub's own timing header); throughput load comes from wrk when available.
 *
 * Prints: latency at concurrency 1 (client-observed total, and the hub's own pre-dispatch time from
 * `x-porten-hub-ms`), throughput by concurrency with p50/p99, the best throughput with p99 ≤ 10 ms,
 * and the routing decision time over 10,000 registered nodes.
 *
 * Env: BENCH_SECONDS (per concurrency step, default 4), BENCH_LATENCY_REQUESTS (default 2000),
 * BENCH_PROFILE=<dir> to write a CPU profile of the hub process there, BENCH_FSYNC=off to run PostgreSQL without fsync (isolates what the disk flush of the audit costs).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { startPostgres } from '../../scripts/testkit/postgresServer.ts';
import { startRedis } from '../../scripts/testkit/redisServer.ts';
import { freePort } from '../../scripts/testkit/freePort.ts';
import { generateSecret, SECRET_PREFIX } from '../src/auth/secrets.ts';
import { migrate } from '../src/db/migrate.ts';
import { createPool } from '../src/db/pool.ts';
import { keys, models, nodes, orgs } from '../src/store/index.ts';
import { TestNode } from '../test/testNode.ts';
import { benchRoutingDecision } from './routingDecisionBench.ts';
import { ensureWrk, wrkStep, type LoadStep } from './wrkLoad.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const latencyRequests = Number(process.env.BENCH_LATENCY_REQUESTS ?? 2000);
const durable = process.env.BENCH_FSYNC !== 'off';

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  console.log(`porten hub benchmark: starting PostgreSQL (${durable ? 'durable: fsync on' : 'fsync off'}) and Redis on loopback…`);
  const [pgServer, redis] = await Promise.all([startPostgres({ durable }), startRedis()]);
  const dbUrl = pgServer.url.replace(/\/postgres$/, '/porten');
  {
    const c = new pg.Client({ connectionString: pgServer.url });
    await c.connect();
    await c.query('create database porten');
    await c.end();
  }
  const pool = createPool(dbUrl, 2);
  await migrate(pool);
  const org = await orgs.createOrg(pool, 'bench');
  await models.upsertModel(pool, { id: 'bench-model', format: 'gguf', sha256: null, size_bytes: 1, context_length: 4096, capabilities: ['chat'], memory_mb: 1, enabled: true });
  const node = await nodes.insertNode(pool, { org_id: org.id, name: 'bench-node', region: 'eu', trust_class: 'trusted', inventory: {}, approved_by: 'bench' });
  const credential = generateSecret(SECRET_PREFIX.node);
  await nodes.setNodeCredential(pool, node.id, credential);
  const secret = generateSecret(SECRET_PREFIX.apiKey);
  await keys.insertKey(pool, { org_id: org.id, name: 'bench', secret, fleet: 'own', regions: ['eu'], min_trust: 'trusted', models: null });
  await pool.end();

  const port = await freePort();
  const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const hub = spawn(process.execPath, [...profile, new URL('../src/main.ts', import.meta.url).pathname, 'serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      HUB_DATABASE_URL: dbUrl,
      HUB_REDIS_URL: redis.url,
      HUB_PORT: String(port),
      HUB_ADMIN_TOKEN: `porten-admin-${randomBytes(18).toString('base64url')}`,
      HUB_KEY_MAX_CONCURRENCY: '100000',
      HUB_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    const ok = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (i > 200) throw new Error('hub did not become ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  const tn = new TestNode('bench-node', { hubUrl: url, credential, loadedModels: ['bench-model'], heartbeatMs: 1000, behaviour: () => ({ kind: 'reply', text: 'ok' }) });
  await tn.connect();
  await new Promise((r) => setTimeout(r, 300));

  const body = JSON.stringify({ model: 'bench-model', messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 });
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const once = () =>
    new Promise<{ ms: number; hubMs: number; status: number }>((resolve, reject) => {
      const t0 = performance.now();
      const req = request(
        `${url}/v1/chat/completions`,
        { method: 'POST', agent, headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ ms: performance.now() - t0, hubMs: Number(res.headers['x-porten-hub-ms'] ?? NaN), status: res.statusCode ?? 0 }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  // Warm-up (JIT, connection pools, caches).
  for (let i = 0; i < 300; i++) await once();

  const total: number[] = [];
  const pre: number[] = [];
  for (let i = 0; i < latencyRequests; i++) {
    const r = await once();
    if (r.status !== 200) throw new Error(`request failed with ${r.status}`);
    total.push(r.ms);
    pre.push(r.hubMs);
  }
  total.sort((a, b) => a - b);
  pre.sort((a, b) => a - b);
  console.log(`\nconcurrency 1, ${latencyRequests} requests (instant node, so the total is what the hub + tunnel add):`);
  console.log(`  total round trip      p50 ${pct(total, 50).toFixed(2)} ms   p99 ${pct(total, 99).toFixed(2)} ms`);
  console.log(`  hub before dispatch   p50 ${pct(pre, 50).toFixed(2)} ms   p99 ${pct(pre, 99).toFixed(2)} ms   (auth, validation, policy filter, durable audit record)`);

  const useWrk = ensureWrk();
  console.log(`\nthroughput (${seconds} s per step; load from ${useWrk ? 'wrk, a separate C process' : 'this Node process (install wrk for lower client overhead)'}):`);
  let best: LoadStep | undefined;
  for (const c of [1, 2, 4, 8, 16, 32, 64]) {
    const step = useWrk
      ? await wrkStep(`${url}/v1/chat/completions`, body, { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, c, seconds)
      : await nodeStep(once, c, seconds);
    console.log(`  c=${String(c).padStart(2)}  ${step.rps.toFixed(0).padStart(6)} req/s   p50 ${step.p50.toFixed(2)} ms   p99 ${step.p99.toFixed(2)} ms   errors ${step.errors}`);
    if (step.p99 <= 10 && step.errors === 0 && step.rps > (best?.rps ?? 0)) best = step;
  }
  console.log(best ? `  best with p99 ≤ 10 ms: ${best.rps.toFixed(0)} req/s at concurrency ${best.concurrency} (p99 ${best.p99.toFixed(2)} ms)` : '  no step had p99 ≤ 10 ms');

  await tn.stop();
  hub.kill('SIGTERM');
  await new Promise((r) => hub.once('exit', r));
  await Promise.all([pgServer.destroy(), redis.destroy()]);

  console.log('\nrouting decision over 10,000 registered nodes:');
  benchRoutingDecision(10_000);
}

/** The fallback load generator: `c` loops of keep-alive requests from this process. */
async function nodeStep(once: () => Promise<{ ms: number; status: number }>, c: number, secs: number): Promise<LoadStep> {
  const lat: number[] = [];
  let errors = 0;
  const end = performance.now() + secs * 1000;
  await Promise.all(
    Array.from({ length: c }, async () => {
      while (performance.now() < end) {
        const r = await once();
        if (r.status === 200) lat.push(r.ms);
        else errors++;
      }
    }),
  );
  lat.sort((a, b) => a - b);
  return { concurrency: c, rps: lat.length / secs, p50: pct(lat, 50), p99: pct(lat, 99), errors };
}

main().catch((err: unknown) => {
  console.error('bench failed:', err);
  process.exit(1);
});
