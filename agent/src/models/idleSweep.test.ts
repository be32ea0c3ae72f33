import { describe, expect, it } from 'vitest';
import { LoadedSet, startIdleSweep } from './index.ts';

describe('startIdleSweep', () => {
  it('unloads models idle past the window and keeps the rest; weights are not its business', async () => {
    let t = 0;
    const set = new LoadedSet(10_000);
    for (const id of ['a', 'b', 'c']) {
      set.admit(id, 1000, t);
      set.loaded(id, t);
    }
    const unloaded: string[] = [];
    const sweep = startIdleSweep({ loaded: set, windowMs: 600_000, intervalMs: 60_000, now: () => t, unload: async (id) => void unloaded.push(id) });
    try {
      t = 300_000;
      set.touch('b', t);
      set.begin('c', t);
      t = 600_000;
      expect(await sweep.sweep()).toEqual(['a']);
      expect(unloaded).toEqual(['a']);
      expect(set.ids()).toEqual(['b', 'c']);
      t = 900_000;
      expect(await sweep.sweep()).toEqual(['b']);
      expect(set.ids()).toEqual(['c']); // still serving
    } finally {
      sweep.stop();
    }
  });

  it('runs on its own timer', async () => {
    const set = new LoadedSet(1000);
    set.admit('a', 10, Date.now() - 1000);
    set.loaded('a', Date.now() - 1000);
    const unloaded: string[] = [];
    const sweep = startIdleSweep({ loaded: set, windowMs: 100, intervalMs: 20, unload: async (id) => void unloaded.push(id) });
    try {
      await expect.poll(() => unloaded, { timeout: 2_000 }).toEqual(['a']);
    } finally {
      sweep.stop();
    }
  });

  it('a failing unload is skipped, not thrown', async () => {
    const set = new LoadedSet(1000);
    set.admit('a', 10, 0);
    set.loaded('a', 0);
    const sweep = startIdleSweep({ loaded: set, windowMs: 10, now: () => 100, unload: async () => Promise.reject(new Error('engine gone')) });
    try {
      expect(await sweep.sweep()).toEqual([]);
    } finally {
      sweep.stop();
    }
  });
});
