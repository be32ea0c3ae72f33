/**
 * Runs one external tool (docker, mmdebstrap, tar) without a shell: arguments go to the program
 * as they are, so image names, paths and labels need no quoting. stdin is /dev/null (mmdebstrap
 * reads apt sources from stdin when it has none on the command line).
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { BundleError } from '../bundleError.ts';

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Appends the command line, stdout and stderr here (mmdebstrap and docker build logs). */
  logFile?: string;
  /** Keep stdout out of the log (it is data, e.g. `docker image inspect` JSON). */
  quietStdout?: boolean;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs and returns the exit code and output; never throws for a non-zero exit (see runChecked). */
export function runCommand(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  if (opts.logFile) {
    mkdirSync(dirname(opts.logFile), { recursive: true });
    appendFileSync(opts.logFile, `\n$ ${cmd} ${args.map((a) => (/[\s'"$]/.test(a) ? JSON.stringify(a) : a)).join(' ')}\n`);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => {
      out.push(b);
      if (opts.logFile && !opts.quietStdout) appendFileSync(opts.logFile, b);
    });
    child.stderr.on('data', (b: Buffer) => {
      err.push(b);
      if (opts.logFile) appendFileSync(opts.logFile, b);
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') reject(new BundleError('command_failed', `${cmd} is not installed (not found on PATH); install it (apt-get install ${cmd === 'docker' ? 'docker.io' : cmd}) and run again`, { cause: e }));
      else reject(e);
    });
    child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/** Runs and returns stdout; a non-zero exit throws `command_failed` with the tail of stderr. */
export async function runChecked(cmd: string, args: string[], opts: RunOptions = {}): Promise<string> {
  const res = await runCommand(cmd, args, opts);
  if (res.code !== 0) {
    const tail = res.stderr.trim().split('\n').slice(-6).join(' | ');
    const where = opts.logFile ? `; full output in ${opts.logFile}` : '';
    throw new BundleError('command_failed', `${cmd} ${args[0] ?? ''} failed (exit ${res.code}): ${tail || '(no output)'}${where}`);
  }
  return res.stdout;
}
