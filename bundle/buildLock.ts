import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { distLayout } from './layout.ts';

const POLL_MS = 200;
const WAIT_MS = 15 * 60_000;

/**
 * Runs `work` holding dist/'s lock: one writer at a time — a build, the tests' builds in parallel
 * test files, or recordImages. The lock is a file created exclusively, holding the owner's pid; a
 * lock whose process is gone is stale and taken over. Waits up to 15 minutes for another holder.
 */
export async function withBuildLock<T>(distDir: string, work: () => T | Promise<T>): Promise<T> {
  const { lock } = distLayout(distDir);
  mkdirSync(distDir, { recursive: true });
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (!holderAlive(lock)) {
        rmSync(lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${lock} is still held by process ${readFileSync(lock, 'utf8')} after ${WAIT_MS / 60_000} minutes`);
      await sleep(POLL_MS);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { force: true });
  }
}

function holderAlive(lock: string): boolean {
  let text: string;
  try {
    text = readFileSync(lock, 'utf8').trim();
  } catch {
    return true; // just released: look again
  }
  if (text === '') return true; // just created, pid not written yet
  const pid = Number(text);
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
