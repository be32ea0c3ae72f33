import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { withFileLock } from './fileLock.ts';

describe('withFileLock: one holder at a time across processes', () => {
  const dirs: string[] = [];
  const lockPath = () => {
    const d = mkdtempSync(join(tmpdir(), 'porten-lock-'));
    dirs.push(d);
    return join(d, 'x.lock');
  };
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const opts = { timeoutMs: 5_000, pollMs: 10, timedOut: (owner: number) => new Error(`held by ${owner}`) };

  it('runs holders one after the other, then removes the lock', async () => {
    const path = lockPath();
    const events: string[] = [];
    const holder = (name: string) =>
      withFileLock(path, opts, async () => {
        events.push(`${name} in`);
        await sleep(30);
        events.push(`${name} out`);
      });
    await Promise.all([holder('a'), holder('b')]);
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out']);
    expect(existsSync(path)).toBe(false);
  });

  it('takes over a lock whose owner is gone', async () => {
    const path = lockPath();
    writeFileSync(path, '999999999'); // no such process
    expect(await withFileLock(path, opts, () => 'ran')).toBe('ran');
  });

  it('waits for a live owner, says so once, and gives up with the caller\'s error', async () => {
    const path = lockPath();
    writeFileSync(path, String(process.pid)); // this process: alive
    const waits: number[] = [];
    await expect(withFileLock(path, { ...opts, timeoutMs: 50, onWait: (o) => waits.push(o) }, () => 'never')).rejects.toThrow(`held by ${process.pid}`);
    expect(waits).toEqual([process.pid]);
    expect(existsSync(path)).toBe(true); // not ours to remove
  });
});
