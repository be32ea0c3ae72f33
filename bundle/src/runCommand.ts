/**
 * The one process runner of the tree's tools (the build, the image builder, portenctl's site
 * runtime): zx, configured once here. Arguments are quoted by zx, so image names, paths and labels
 * reach the program as they are; stdin is /dev/null (mmdebstrap reads apt sources from stdin when
 * it has none on the command line). A non-zero exit is returned, never thrown: each package turns
 * it into its own error (runChecked here, runToolChecked in portenctl).
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { $ } from 'zx/core';
import { BundleError } from './bundleError.ts';

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Appends the command line, stdout and stderr here (mmdebstrap and docker build logs). */
  logFile?: string;
  /** Keep stdout out of the log (it is data, e.g. `docker image inspect` JSON). */
  quietStdout?: boolean;
  /** Killed (SIGTERM) after this long; the result then has code 1. */
  timeoutMs?: number;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The program is not installed (not found on PATH). */
  missing: boolean;
}

/**
 * zx runs the quoted command line through bash. Node 24 warns (DEP0190) when spawn gets an argument
 * list together with `shell`; zx passes an empty one, so it is dropped here.
 */
const spawnCommandLine: typeof spawn = ((cmd: string, args: readonly string[], opts: object) =>
  args.length === 0 ? spawn(cmd, opts) : spawn(cmd, args, opts)) as typeof spawn;

/**
 * bash `exec`s the program (prefix below), so the child's pid is the program's own and a timeout
 * signals it directly — instead of zx's default, which looks up the process tree with `ps` through
 * a second shell.
 */
const PREFIX = 'set -euo pipefail; exec ';
const killProgram = async (pid: number | `${number}`, signal?: NodeJS.Signals): Promise<void> => {
  try {
    process.kill(Number(pid), signal ?? 'SIGTERM');
  } catch {
    /* already gone */
  }
};

/** Runs and returns the exit code and output; never throws for a non-zero exit (see runChecked). */
export async function runCommand(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  if (opts.logFile) {
    mkdirSync(dirname(opts.logFile), { recursive: true });
    appendFileSync(opts.logFile, `\n$ ${cmd} ${args.map((a) => (/[\s'"$]/.test(a) ? JSON.stringify(a) : a)).join(' ')}\n`);
  }
  const run = $({
    env: opts.env ?? process.env,
    nothrow: true,
    quiet: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    spawn: spawnCommandLine,
    prefix: PREFIX,
    kill: killProgram,
    ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}),
  })`${cmd} ${args}`;
  if (opts.logFile) {
    const log = opts.logFile;
    if (!opts.quietStdout) run.stdout.on('data', (b: Buffer) => appendFileSync(log, b));
    run.stderr.on('data', (b: Buffer) => appendFileSync(log, b));
  }
  const out = await run;
  const code = out.exitCode ?? 1;
  // bash answers `exec` of a program it cannot find with exit 127 and "exec: <cmd>: not found".
  const missing = code === 127 && out.stderr.includes(`${cmd}: not found`);
  return { code, stdout: out.stdout, stderr: out.stderr, missing };
}

/** Runs and returns stdout; a missing program or a non-zero exit throws `command_failed` with the tail of stderr. */
export async function runChecked(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  const res = await runCommand(cmd, args, opts);
  if (res.missing) throw new BundleError('command_failed', `${cmd} is not installed (not found on PATH); install it (apt-get install ${cmd === 'docker' ? 'docker.io' : cmd}) and run again`);
  if (res.code !== 0) {
    const tail = res.stderr.trim().split('\n').slice(-6).join(' | ');
    const where = opts.logFile ? `; full output in ${opts.logFile}` : '';
    throw new BundleError('command_failed', `${cmd} ${args[0] ?? ''} failed (exit ${res.code}): ${tail || '(no output)'}${where}`);
  }
  return res.stdout;
}
