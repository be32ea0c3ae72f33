import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { NodeRuntime } from './nodeRuntime.ts';
import { BundleError } from './bundleError.ts';
import { runCommand } from './runCommand.ts';

/** The fuse Node checks to know a blob was injected (fixed by Node; see its single-executable docs). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/**
 * The embedded runtime stripped of its symbols (≈ 108 MB instead of ≈ 120; Node's SEA guide strips
 * before injecting), made once per Node version and kept in `cacheDir`.
 */
export async function strippedRuntime(runtime: NodeRuntime, cacheDir: string): Promise<string> {
  const path = join(cacheDir, `node-${runtime.version}-stripped`);
  if (existsSync(path)) return path;
  mkdirSync(cacheDir, { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  copyFileSync(runtime.path, tmp);
  chmodSync(tmp, 0o755);
  await run('strip', [tmp], 'stripping the Node binary (strip comes with binutils: apt-get install binutils)');
  renameSync(tmp, path);
  return path;
}

/**
 * Turns a CommonJS bundle into a Node single executable at `outFile`: the SEA preparation blob is
 * made by the very runtime that is embedded (blobs are tied to the Node version), then postject
 * injects it into a copy of the stripped runtime. No code cache or snapshot: both depend on the
 * machine and would make identical builds differ. The experimental-SEA warning is off: it would
 * print on every `porten` command.
 */
export async function makeExecutable(runtime: NodeRuntime, stripped: string, bundle: string, outFile: string): Promise<void> {
  const config = `${outFile}.sea-config.json`;
  const blob = `${outFile}.sea-prep.blob`;
  writeFileSync(config, JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true, useSnapshot: false, useCodeCache: false }));
  await run(runtime.path, ['--experimental-sea-config', config], 'making the SEA blob');
  copyFileSync(stripped, outFile);
  chmodSync(outFile, 0o755);
  // postject's command line, run by the same runtime. It prints LIEF's harmless warnings about ELF
  // notes; its output shows only when it fails.
  const postject = join(createRequire(import.meta.url).resolve('postject'), '..', 'cli.js');
  await run(runtime.path, [postject, outFile, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE], 'injecting the blob with postject');
}

/** Runs a step of the executable build; its output shows only when it fails. */
async function run(command: string, args: string[], what: string): Promise<void> {
  const res = await runCommand(command, args);
  if (res.code === 0) return;
  const output = `${res.stdout}${res.stderr}`.trim();
  throw new BundleError('command_failed', `${what} failed (${res.missing ? `${command} is not installed` : `exit ${res.code}`})${output ? `:\n${output}` : ''}`);
}
