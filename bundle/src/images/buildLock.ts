/**
 * One image build at a time per cache folder, across processes (two test files, or a test run and
 * `npm run build:images`): two builders would run mmdebstrap twice for the same rootfs and race on
 * the same tags. The lock itself is bundle/fileLock.ts (shared with the executable build).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { withFileLock } from '../fileLock.ts';
import { BundleError } from '../bundleError.ts';

export async function withBuildLock<T>(cacheDir: string, log: (line: string) => void, task: () => Promise<T>, timeoutMs = 60 * 60_000): Promise<T> {
  mkdirSync(cacheDir, { recursive: true });
  const path = join(cacheDir, 'build.lock');
  return withFileLock(
    path,
    {
      timeoutMs,
      pollMs: 500,
      onWait: (owner) => log(`waiting for another image build (pid ${owner}) to finish…`),
      timedOut: (owner) => new BundleError('command_failed', `another image build (pid ${owner}) has held ${path} for over ${Math.round(timeoutMs / 60_000)} min: wait for it or stop it, then run again`),
    },
    task,
  );
}
