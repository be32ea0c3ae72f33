import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LoadStep {
  concurrency: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

/** Whether wrk (Debian package `wrk`) is on this machine; the benchmark installs it through apt-get when missing. */
export function ensureWrk(): boolean {
  const has = () => spawnSync('sh', ['-c', 'command -v wrk'], { stdio: 'ignore' }).status === 0;
  if (has()) return true;
  if (process.getuid?.() !== 0) return false;
  spawnSync('apt-get', ['install', '-y', '-qq', 'wrk'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return has();
}

/**
 * Drives `url` with wrk (a C load generator: it leaves the CPU to the hub on a small machine) for
 * `seconds` at `concurrency` keep-alive connections, POSTing `body` with `headers`. Asynchronous on
 * purpose: the benchmark's test node lives in this process and must keep answering meanwhile.
 */
export async function wrkStep(url: string, body: string, headers: Record<string, string>, concurrency: number, seconds: number): Promise<LoadStep> {
  const dir = mkdtempSync(join(tmpdir(), 'porten-wrk-'));
  const script = join(dir, 'post.lua');
  const lines = [
    'wrk.method = "POST"',
    `wrk.body = ${JSON.stringify(body)}`,
    ...Object.entries(headers).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`),
  ];
  writeFileSync(script, lines.join('\n') + '\n');
  const { stdout: out } = await promisify(execFile)('wrk', ['-t1', `-c${concurrency}`, `-d${seconds}s`, '--latency', '-s', script, url], { encoding: 'utf8' });
  const ms = (label: string): number => {
    const m = new RegExp(`^\\s*${label}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(out);
    if (!m) return NaN;
    const v = Number(m[1]);
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
  };
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const socketErrors = /Socket errors:.*?(\d+).*?(\d+).*?(\d+).*?(\d+)/.exec(out);
  const errors = non2xx + (socketErrors ? socketErrors.slice(1).reduce((a, b) => a + Number(b), 0) : 0);
  return { concurrency, rps, p50: ms('50'), p99: ms('99'), errors };
}
