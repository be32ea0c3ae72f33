import { describe, expect, it } from 'vitest';
import { isAgentError } from '../errors/index.ts';
import { estimateModelMemoryMb, LoadedSet, MEMORY_FACTOR } from './index.ts';

/** A set holding `models` (id → MiB) loaded in order at t = 1, 2, 3, … */
function setWith(budgetMb: number, models: [string, number][]): LoadedSet {
  const set = new LoadedSet(budgetMb);
  models.forEach(([id, mb], i) => {
    expect(set.admit(id, mb, i + 1)).toEqual([]);
    set.loaded(id, i + 1);
  });
  return set;
}

describe('LoadedSet', () => {
  it('admits without evicting while the budget has room', () => {
    const set = setWith(10_000, [['a', 3000], ['b', 3000]]);
    expect(set.admit('c', 4000, 10)).toEqual([]);
    expect(set.usedMb()).toBe(10_000);
    expect(set.freeMb()).toBe(0);
  });

  it('evicts the least recently used first, only as many as needed to fit', () => {
    const set = setWith(10_000, [['a', 3000], ['b', 3000], ['c', 3000]]);
    set.touch('a', 50); // a is now the most recent; b is the least
    expect(set.admit('d', 2000, 60)).toEqual(['b']);
    expect(set.ids()).toEqual(['c', 'a', 'd']);
    expect(set.admit('e', 6000, 70)).toEqual(['c', 'a']);
    expect(set.ids()).toEqual(['d', 'e']);
    expect(set.usedMb()).toBe(8000);
  });

  it('never evicts a model serving a request or still loading', () => {
    const set = setWith(10_000, [['a', 4000], ['b', 4000]]);
    set.begin('a', 5);
    expect(set.admit('c', 4000, 10)).toEqual(['b']); // a is older but busy
    expect(set.get('c')).toMatchObject({ loading: true });
    let err: unknown;
    try {
      set.admit('d', 4000, 11); // a busy, c loading: nothing can go
    } catch (e) {
      err = e;
    }
    expect(isAgentError(err, 'model_too_large')).toBe(true);
    expect(err).toMatchObject({ retryable: true });
    expect((err as Error).message).toMatch(/needs 4000 MiB; 8000 MiB of the 10000 MiB budget are held/);
    set.end('a', 12);
    set.loaded('c', 13);
    expect(set.admit('d', 4000, 14)).toEqual(['a']);
  });

  it('refuses for good a model larger than the whole budget, evicting nothing', () => {
    const set = setWith(8000, [['a', 1000]]);
    expect(() => set.admit('huge', 8001, 5)).toThrow(/needs 8001 MiB but the node's whole VRAM budget is 8000 MiB/);
    try {
      set.admit('huge', 8001, 5);
    } catch (e) {
      expect(e).toMatchObject({ code: 'model_too_large', retryable: false });
    }
    expect(set.ids()).toEqual(['a']);
  });

  it('admitting a model already present touches it and evicts nothing', () => {
    const set = setWith(4000, [['a', 2000], ['b', 2000]]);
    expect(set.admit('a', 2000, 9)).toEqual([]);
    expect(set.ids()).toEqual(['b', 'a']);
  });

  it('a failed load gives its reservation back', () => {
    const set = setWith(4000, [['a', 2000]]);
    expect(set.admit('b', 2000, 5)).toEqual([]);
    set.remove('b');
    expect(set.freeMb()).toBe(2000);
  });

  it('reports models idle past the window, never busy or loading ones', () => {
    const set = setWith(10_000, [['a', 1000], ['b', 1000], ['c', 1000]]);
    set.begin('b', 3);
    set.admit('d', 1000, 4);
    expect(set.idle(1000, 500)).toEqual(['a', 'c']);
    expect(set.idle(1000, 998)).toEqual(['a']);
    set.end('b', 1000);
    expect(set.idle(1000, 500)).toEqual(['a', 'c']);
    expect(set.idle(1500, 500)).toEqual(['a', 'c', 'b']);
  });
});

describe('estimateModelMemoryMb', () => {
  it('takes the catalog memory_mb when set, else the file size × factor', () => {
    expect(estimateModelMemoryMb(4 * 2 ** 30, 6144)).toBe(6144);
    expect(estimateModelMemoryMb(4 * 2 ** 30, 0)).toBe(Math.ceil(4096 * MEMORY_FACTOR));
    expect(estimateModelMemoryMb(4 * 2 ** 30)).toBe(4916);
    expect(estimateModelMemoryMb(1)).toBe(1);
  });
});
