import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface FileLockOptions {
  /** How long to wait for another holder before giving up (the error comes from `timedOut`). */
  timeoutMs: number;
  pollMs?: number;
  /** Called once when the lock is held by another live process (to say what we wait for). */
  onWait?(ownerPid: number): void;
  timedOut(ownerPid: number): Error;
}

/**
 * Runs `work` holding a lock across processes: a file created exclusively that holds the owner's
 * pid. A lock whose owner is gone (a killed build) is taken over; one with no pid yet belongs to a
 * process between creating and writing it, or one that died there (then it is old after 10 s).
 * Shared by the executable build (dist/) and the image build (images/.cache/).
 */
export async function withFileLock<T>(path: string, opts: FileLockOptions, work: () => T | Promise<T>): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
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
    const owner = Number.parseInt(readOrEmpty(path), 10);
    const stale = Number.isInteger(owner) ? !isAlive(owner) : ageMs(path) > 10_000;
    if (stale) {
      rmSync(path, { force: true });
      continue;
    }
    if (!told) {
      opts.onWait?.(owner);
      told = true;
    }
    if (Date.now() > deadline) throw opts.timedOut(owner);
    await sleep(opts.pollMs ?? 200);
  }
  try {
    return await work();
  } finally {
    rmSync(path, { force: true });
  }
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return ''; // just released: look again
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
