/**
 * `npm run bench:agent` — what serving through the hub costs the builtin engine: tokens/s of the
 * engine called directly vs the same model served by a real `porten run` agent through the hub
 * (streaming chat completions), and the time to first token the hub + tunnel add.
 *
 * Set-up: real PostgreSQL and Redis on loopback (scripts/testkit); the hub as its own process
 * (`node hub/src/main.ts serve`); a generated tiny llama GGUF imported into the hub's catalog with
 * the admin API (`PUT /admin/v1/models/{id}/weights`); one real agent (`node agent/src/main.ts run`,
 * builtin engine) with an approved node credential, which downloads the model from the hub's mirror
 * on the first request. The direct engine (`BuiltinEngine`, same model, params and threads) runs in
 * this process, never while the agent runs (on a small machine both would starve each other); the
 * two alternate in rounds.
 * The tiny model never ends a turn by itself, so every request generates exactly `max_tokens`.
 *
 * Prints figures only (no pass/fail): per-request tokens/s (completion tokens / wall time) p50 and
 * the ratio hub/direct (target ≥ 0.95); TTFT p50/p99 both ways and the difference (target ≤ 2 ms p50).
 *
 * Env: BENCH_REQUESTS (measured requests per side, default 20), BENCH_ROUNDS (default 4: direct
 * and agent alternate, each round measuring its share of the requests), BENCH_WARMUP (per round and
 * side, default 3), BENCH_MAX_TOKENS (default 128), BENCH_THREADS (llama.cpp threads, default 1:
 * its threads spin on barriers and a 2-core machine is shared with the hub), BENCH_LOG=1 to echo
 * the agent's log, BENCH_PROF_DIR=DIR to write V8 CPU profiles of the hub, the agent and its engine
 * child into DIR (open them in Chrome DevTools; profiling slows every side, so read shares, not figures).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { RequestMessage } from '@porten/shared/protocol';
import { startBenchSite } from '@porten/hub/bench/benchSite';
import { putWeights } from '@porten/hub/testing/mirrorTestSupport';
import { startAgent } from '../src/cli/agentProcess.ts';
import { silentLogger } from '@porten/shared/log';
import { writeCredentials } from '../src/config/index.ts';
import { BuiltinEngine } from '../src/engines/builtin/index.ts';
import { writeTinyLlama } from '../src/gguf/index.ts';
import { loadSettings } from '@porten/shared/env';

const settings = loadSettings(process.env, 'npm run bench:agent', (read) => ({
  requests: read.int('BENCH_REQUESTS', 20, 1),
  warmup: read.int('BENCH_WARMUP', 3, 0),
  maxTokens: read.int('BENCH_MAX_TOKENS', 128, 1, 4096),
  threads: read.int('BENCH_THREADS', 1, 1, 256),
  rounds: read.int('BENCH_ROUNDS', 4, 1),
  profDir: read.raw('BENCH_PROF_DIR'),
  echoLog: read.raw('BENCH_LOG') !== undefined,
}));
const { requests, warmup, maxTokens, threads, profDir } = settings;
const rounds = Math.min(settings.rounds, requests);
const MODEL = 'tiny';
const messages = [{ role: 'user' as const, content: 'Tell me a story about a lighthouse.' }];

interface Sample {
  ttftMs: number;
  wallMs: number;
  tokens: number;
  /** Through the hub: SSE chunks carrying content (fewer than tokens when deltas were merged, see textWindow.ts). */
  chunks?: number;
  /** Through the hub: the hub's own time before dispatch (`x-porten-hub-ms`: auth, validation, policy, durable audit record). */
  hubMs?: number;
}

/** Undo steps, run last-in first-out at the end, on error and on Ctrl-C. */
const cleanups: (() => Promise<unknown> | unknown)[] = [];
async function cleanUp(): Promise<void> {
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()!();
    } catch (err) {
      console.error('clean-up step failed:', (err as Error).message);
    }
  }
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
const sortedBy = (samples: Sample[], f: (s: Sample) => number) => samples.map(f).sort((a, b) => a - b);
const tokensPerSecond = (s: Sample) => s.tokens / (s.wallMs / 1000);

/** Stops a child: `signal`, then SIGKILL if it has not exited within `graceMs`. */
async function stopChild(child: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * CPU time (user + system) a process has used, ms, from /proc (Linux; NaN elsewhere or once it is
 * gone). Coarse (clock ticks, usually 10 ms) but summed over every measured request, and it moves
 * less than wall time with what else the machine runs: it is the cost of the hub and tunnel itself.
 */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}
const CLOCK_TICKS = 100; // USER_HZ: 100 on every Linux architecture Node ships for
/** The first child of `pid` (the agent's engine process). */
function childPid(pid: number | undefined): number | undefined {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(' ')[0]) || undefined;
  } catch {
    return undefined;
  }
}

/** CPU ms per process over the measured requests (warm-up excluded), summed over the rounds. */
const cpu: Record<'hub' | 'agent' | 'agentEngine' | 'directEngine', number> = { hub: 0, agent: 0, agentEngine: 0, directEngine: 0 };

/** Warm-up, then `count` measured requests; `pids` is asked after the warm-up (engine processes start on first use). */
async function measure(label: string, count: number, once: () => Promise<Sample>, pids: () => Partial<Record<keyof typeof cpu, number>>): Promise<Sample[]> {
  for (let i = 0; i < warmup; i++) await once();
  const entries = Object.entries(pids()) as [keyof typeof cpu, number][];
  const before = entries.map(([, pid]) => cpuMs(pid));
  const samples: Sample[] = [];
  for (let i = 0; i < count; i++) {
    const s = await once();
    if (s.tokens !== maxTokens) throw new Error(`${label}: a request produced ${s.tokens} tokens, expected ${maxTokens}`);
    samples.push(s);
  }
  entries.forEach(([name, pid], i) => (cpu[name] += cpuMs(pid) - before[i]!));
  return samples;
}

/** The builtin engine in this process (its llama.cpp child), no hub, no tunnel. */
async function benchDirect(count: number, modelPath: string, sha256: string, sizeBytes: number): Promise<Sample[]> {
  const engine = new BuiltinEngine({ threads, log: silentLogger });
  cleanups.push(() => engine.close());
  await engine.load({ id: MODEL, path: modelPath, sha256, size_bytes: sizeBytes });
  const once = async (): Promise<Sample> => {
    const req: RequestMessage = { type: 'request', id: crypto.randomUUID(), kind: 'chat', model: MODEL, params: { messages, max_tokens: maxTokens, temperature: 0 } };
    let ttftMs = NaN;
    let tokens = 0;
    const t0 = performance.now();
    await engine.run(
      req,
      {
        delta: (part) => {
          if (Number.isNaN(ttftMs) && part.content) ttftMs = performance.now() - t0;
        },
        result: () => undefined,
        done: (_finish, usage) => (tokens = usage.completion_tokens),
      },
      new AbortController().signal,
    );
    return { ttftMs, wallMs: performance.now() - t0, tokens };
  };
  const samples = await measure('direct', count, once, () => ({ directEngine: engine.processId }));
  await engine.close();
  return samples;
}

/** One streamed chat completion through the hub; TTFT is the first chunk carrying content. */
function hubRequest(url: string, secret: string, agent: Agent): Promise<Sample> {
  const body = JSON.stringify({ model: MODEL, messages, max_tokens: maxTokens, temperature: 0, stream: true, stream_options: { include_usage: true } });
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(
      `${url}/v1/chat/completions`,
      { method: 'POST', agent, headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let ttftMs = NaN;
        let tokens = 0;
        let chunks = 0;
        let buffered = '';
        let errorBody = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (res.statusCode !== 200) {
            errorBody += chunk;
            return;
          }
          buffered += chunk;
          let end: number;
          while ((end = buffered.indexOf('\n\n')) >= 0) {
            const event = buffered.slice(0, end);
            buffered = buffered.slice(end + 2);
            const data = event.startsWith('data: ') ? event.slice(6) : '';
            if (data === '' || data === '[DONE]') continue;
            const parsed = JSON.parse(data) as { choices: { delta?: { content?: string } }[]; usage?: { completion_tokens: number } };
            if (parsed.choices[0]?.delta?.content) {
              if (Number.isNaN(ttftMs)) ttftMs = performance.now() - t0;
              chunks++;
            }
            if (parsed.usage) tokens = parsed.usage.completion_tokens;
          }
        });
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`hub answered ${res.statusCode}: ${errorBody}`));
          else resolve({ ttftMs, wallMs: performance.now() - t0, tokens, chunks, hubMs: Number(res.headers['x-porten-hub-ms'] ?? NaN) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function main(): Promise<void> {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log('porten agent benchmark: builtin engine (llama.cpp) called directly vs served by `porten run` through the hub');
  console.log(`machine: ${availableParallelism()} cores (${cpu}), Node ${process.version}, load average ${loadAverage()} (anything else running skews the figures)`);
  console.log(`model: generated tiny llama GGUF; chat, max_tokens ${maxTokens}, temperature 0, llama.cpp threads ${threads}; ${requests} requests per side in ${rounds} alternating rounds, ${warmup} warm-up per round and side`);

  const tmp = mkdtempSync(join(tmpdir(), 'porten-agent-bench-'));
  cleanups.push(() => rmSync(tmp, { recursive: true, force: true }));
  const model = await writeTinyLlama(join(tmp, 'tiny.gguf'));

  console.log('\nstarting PostgreSQL and Redis on loopback, and the hub…');
  const site = await startBenchSite({ hubEnv: { HUB_BLOB_DIR: join(tmp, 'blobs') }, ...(profDir ? { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profDir}`] } : {}) });
  cleanups.push(() => site.stop());
  const { url, adminToken, credential, secret } = site;
  const imported = await putWeights(url, adminToken, MODEL, readFileSync(model.path), { query: { capabilities: 'chat,completions', context_length: '2048' } });
  if (imported.status !== 201) throw new Error(`importing the model failed (${imported.status}): ${JSON.stringify(imported.body)}`);

  const home = join(tmp, 'home');
  writeCredentials(home, { hub_url: url, node_id: site.nodeId, credential });
  const httpAgent = new Agent({ keepAlive: true, maxSockets: 1 });
  cleanups.push(() => httpAgent.destroy());

  // Alternating rounds, so drift in what else the machine does weighs on both sides alike.
  const direct: Sample[] = [];
  const served: Sample[] = [];
  for (let round = 0; round < rounds; round++) {
    const count = Math.floor(requests / rounds) + (round < requests % rounds ? 1 : 0);
    const d = await benchDirect(count, model.path, model.sha256, model.size_bytes);
    direct.push(...d);

    // The agent starts with nothing loaded: the first warm-up request has the hub ask it to load the
    // model (downloaded from the hub's mirror in round 1, from the agent's model store afterwards).
    const agentRun = startAgent(['run'], { PATH: process.env.PATH ?? '', PORTEN_HOME: home, PORTEN_VRAM_BUDGET_MB: '1024', PORTEN_THREADS: String(threads), PORTEN_LOG_LEVEL: 'info', ...(profDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${profDir}` } : {}) }, settings.echoLog);
    cleanups.push(() => stopChild(agentRun.child, 'SIGTERM', 15_000));
    await agentRun.waitForOutput(/connected to the hub/, 30_000);
    const h = await measure('hub', count, () => hubRequest(url, secret, httpAgent), () => ({ hub: site.hubPid, agent: agentRun.child.pid, agentEngine: childPid(agentRun.child.pid) }));
    served.push(...h);
    await stopChild(agentRun.child, 'SIGTERM', 15_000); // drains, exits 0
    const p50 = (xs: Sample[]) => pct(sortedBy(xs, tokensPerSecond), 50).toFixed(0);
    console.log(`  round ${round + 1}/${rounds} (${count} requests each): tokens/s p50 direct ${p50(d)}, through the hub ${p50(h)}`);
  }

  report(direct, served);
}

const loadAverage = () => loadavg().map((l) => l.toFixed(2)).join(' ');

function report(direct: Sample[], served: Sample[]): void {
  const dTps = sortedBy(direct, tokensPerSecond);
  const hTps = sortedBy(served, tokensPerSecond);
  const dTtft = sortedBy(direct, (s) => s.ttftMs);
  const hTtft = sortedBy(served, (s) => s.ttftMs);
  const hubPre = sortedBy(served, (s) => s.hubMs ?? NaN);
  const dWall = sortedBy(direct, (s) => s.wallMs);
  const hWall = sortedBy(served, (s) => s.wallMs);
  const f = (n: number, d = 2) => n.toFixed(d);
  console.log(`\n${requests} requests each, ${maxTokens} completion tokens per request:`);
  console.log(`                      tokens/s p50   wall p50     TTFT p50    TTFT p99`);
  console.log(`  direct engine       ${f(pct(dTps, 50), 1).padStart(10)}   ${f(pct(dWall, 50)).padStart(8)} ms  ${f(pct(dTtft, 50)).padStart(7)} ms  ${f(pct(dTtft, 99)).padStart(7)} ms`);
  console.log(`  through the hub     ${f(pct(hTps, 50), 1).padStart(10)}   ${f(pct(hWall, 50)).padStart(8)} ms  ${f(pct(hTtft, 50)).padStart(7)} ms  ${f(pct(hTtft, 99)).padStart(7)} ms`);
  console.log(`\n  tokens/s ratio hub/direct (p50):        ${f(pct(hTps, 50) / pct(dTps, 50), 3)}   (target ≥ 0.95)`);
  console.log(`  TTFT added by hub + tunnel:   p50 ${f(pct(hTtft, 50) - pct(dTtft, 50))} ms   p99 ${f(pct(hTtft, 99) - pct(dTtft, 99))} ms   (target ≤ 2 ms p50; difference of the percentiles)`);
  console.log(`    of which the hub before dispatch:  p50 ${f(pct(hubPre, 50))} ms   p99 ${f(pct(hubPre, 99))} ms   (x-porten-hub-ms: auth, validation, policy, durable audit record)`);
  const chunks = sortedBy(served, (s) => s.chunks ?? NaN);
  console.log(`  content chunks per streamed response: p50 ${pct(chunks, 50)}  min ${chunks[0]}  (fewer than ${maxTokens}: the engine child and the agent merged deltas produced within 4 ms)`);
  const per = (ms: number) => f(ms / requests, 1);
  console.log(`  CPU per request (user+system, /proc):  hub ${per(cpu.hub)} ms, agent ${per(cpu.agent)} ms;  engine process: via the agent ${per(cpu.agentEngine)} ms, direct ${per(cpu.directEngine)} ms`);
  console.log(`\nload average at the end: ${loadAverage()} on ${availableParallelism()} cores`);
}

let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    interrupted = true;
    console.error(`\n${sig}: cleaning up…`);
    void cleanUp().finally(() => process.exit(130));
  });
}

main()
  .then(cleanUp, async (err: unknown) => {
    if (interrupted) return;
    console.error('bench failed:', err);
    await cleanUp();
    process.exitCode = 1;
  });
