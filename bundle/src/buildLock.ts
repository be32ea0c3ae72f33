import { mkdirSync } from 'node:fs';
import { withFileLock } from './fileLock.ts';
import { distLayout } from './layout.ts';
import { BundleError } from './bundleError.ts';

const WAIT_MS = 15 * 60_000;

/**
 * Runs `work` holding dist/'s lock: one writer at a time — a build, the tests' builds in parallel
 * test files, or recordImages. Waits up to 15 minutes for another holder.
 */
export async function withBuildLock<T>(distDir: string, work: () => T | Promise<T>): Promise<T> {
  const { lock } = distLayout(distDir);
  mkdirSync(distDir, { recursive: true });
  return withFileLock(lock, { timeoutMs: WAIT_MS, timedOut: (owner) => new BundleError('lock_timeout', `${lock} is still held by process ${owner} after ${WAIT_MS / 60_000} minutes`) }, work);
}
