/**
 * One image build at a time per cache folder, across processes (two test files, or a test run and
 * `npm run build:images`): two builders would run mmdebstrap twice for the same rootfs and race on
 * the same tags. The lock is a file created exclusively, holding the owner's pid; a lock whose owner
 * is gone (killed build) is taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ImagesError } from './ImagesError.ts';

const POLL_MS = 500;

export async function withBuildLock<T>(cacheDir: string, log: (line: string) => void, task: () => Promise<T>, timeoutMs = 60 * 60_000): Promise<T> {
  mkdirSync(cacheDir, { recursive: true });
  const path = join(cacheDir, 'build.lock');
  const deadline = Date.now() + timeoutMs;
  let told = false;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = Number.parseInt(readFileSafe(path), 10);
    // No pid yet: its owner is between creating and writing it, or died there (then it is old).
    const stale = Number.isInteger(owner) ? !isAlive(owner) : ageMs(path) > 10_000;
    if (stale) {
      rmSync(path, { force: true });
      continue;
    }
    if (!told) {
      log(`waiting for another image build (pid ${owner}) to finish…`);
      told = true;
    }
    if (Date.now() > deadline) {
      throw new ImagesError('command_failed', `another image build (pid ${owner}) has held ${path} for over ${Math.round(timeoutMs / 60_000)} min: wait for it or stop it, then run again`);
    }
    await sleep(POLL_MS);
  }
  try {
    return await task();
  } finally {
    rmSync(path, { force: true });
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
