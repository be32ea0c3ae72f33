import { spawn, type ChildProcess } from 'node:child_process';
import { basename } from 'node:path';
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

export interface StartOptions {
  /** Copy the process's stderr (the JSON log) to this process's stderr, for debugging a test. */
  echo?: boolean;
  /** Working directory (default: this process's). */
  cwd?: string;
  /** What error messages call the process (default: the executable's file name). */
  name?: string;
}

/**
 * Test support: the real `porten` command (agent/src/main.ts on this Node) as a child process, with
 * exactly the environment given (pass PATH), so tests drive what operators run. `echo` copies its
 * stderr (the JSON log) to this process's stderr, for debugging a test.
 */
export function startAgent(args: string[], env: Record<string, string>, echo = false): AgentRun {
  return startExecutable(process.execPath, [MAIN, ...args], env, { echo, name: 'porten' });
}

/**
 * Any program — a built single executable (`dist/porten`, `dist/porten-hub`) — as a child process
 * watched like startAgent's: exactly the environment given, output collected, waitable.
 */
export function startExecutable(executable: string, args: string[], env: Record<string, string>, options: StartOptions = {}): AgentRun {
  const { echo = false, name = basename(executable) } = options;
  const child = spawn(executable, args, {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
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
            reject(new Error(`${name} exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}\nstdout: ${out}\nstderr: ${err}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms\nstdout: ${out}\nstderr: ${err}`));
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
  return runExecutable(process.execPath, [MAIN, ...args], env, { timeoutMs, name: 'porten' });
}

/** Runs a program (see startExecutable) to completion; SIGKILL after `timeoutMs`. */
export async function runExecutable(
  executable: string,
  args: string[],
  env: Record<string, string>,
  options: StartOptions & { timeoutMs?: number } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { timeoutMs = 20_000, ...start } = options;
  const run = startExecutable(executable, args, env, start);
  const timer = setTimeout(() => run.kill('SIGKILL'), timeoutMs);
  const code = await run.exited;
  clearTimeout(timer);
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}
