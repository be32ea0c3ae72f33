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
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { models } from '../src/store/index.ts';
import { startBenchSite } from './benchSite.ts';
import { TestNode } from '../test/support/testNode.ts';
import { benchRoutingDecision } from './routingDecisionBench.ts';
import { ensureWrk, wrkStep, type LoadStep } from './wrkLoad.ts';
import { loadSettings } from '@porten/shared/env';

const { seconds, latencyRequests, durable, profileDir } = loadSettings(process.env, 'npm run bench:hub', (read) => ({
  seconds: read.int('BENCH_SECONDS', 4, 1, 3600),
  latencyRequests: read.int('BENCH_LATENCY_REQUESTS', 2000, 1),
  durable: read.oneOf('BENCH_FSYNC', ['on', 'off'], 'on') === 'on',
  profileDir: read.raw('BENCH_PROFILE'),
}));

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  console.log(`porten hub benchmark: starting PostgreSQL (${durable ? 'durable: fsync on' : 'fsync off'}) and Redis on loopback…`);
  const site = await startBenchSite({
    durable,
    hubEnv: { HUB_KEY_MAX_CONCURRENCY: '100000' },
    nodeFlags: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    seed: (db) =>
      models.upsertModel(db, { id: 'bench-model', format: 'gguf', sha256: null, size_bytes: 1, context_length: 4096, capabilities: ['chat'], memory_mb: 1, enabled: true }).then(() => undefined),
  });
  const { url, credential, secret } = site;
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
  await site.stop();

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
