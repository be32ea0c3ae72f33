import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

export interface AgentRun {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or 128+signal) when the process ends. */
  exited: Promise<number>;
  /** Resolves when stdout+stderr match `pattern`; rejects after `timeoutMs` with what was printed. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): void;
}

/**
 * Test support: the real `porten` command (agent/src/main.ts on this Node) as a child process, with
 * exactly the environment given (pass PATH), so tests drive what operators run. `echo` copies its
 * stderr (the JSON log) to this process's stderr, for debugging a test.
 */
export function startAgent(args: string[], env: Record<string, string>, echo = false): AgentRun {
  const child = spawn(process.execPath, [MAIN, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const watchers = new Set<() => void>();
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
    for (const w of watchers) w();
  });
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    if (echo) process.stderr.write(d);
    for (const w of watchers) w();
  });
  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => {
      resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15));
      for (const w of watchers) w();
    });
  });
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: (signal = 'SIGTERM') => void child.kill(signal),
    waitForOutput(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(out) || pattern.test(err)) {
            cleanup();
            resolve();
          } else if (child.exitCode !== null || child.signalCode !== null) {
            cleanup();
            reject(new Error(`porten exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}\nstdout: ${out}\nstderr: ${err}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`porten did not print ${pattern} within ${timeoutMs} ms\nstdout: ${out}\nstderr: ${err}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          watchers.delete(check);
        };
        watchers.add(check);
        check();
      });
    },
  };
}

/** Runs `porten` to completion. */
export async function runAgent(args: string[], env: Record<string, string>, timeoutMs = 20_000): Promise<{ code: number; stdout: string; stderr: string }> {
  const run = startAgent(args, env);
  const timer = setTimeout(() => run.kill('SIGKILL'), timeoutMs);
  const code = await run.exited;
  clearTimeout(timer);
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}
