import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.ts';

describe('reconnect back-off', () => {
  it('doubles from the base up to the cap, jittered between half and all of it, and starts over after reset', () => {
    const low = new Backoff(500, 30_000, () => 0);
    expect(Array.from({ length: 9 }, () => low.next())).toEqual([250, 500, 1000, 2000, 4000, 8000, 15_000, 15_000, 15_000]);
    const high = new Backoff(500, 30_000, () => 1);
    expect(Array.from({ length: 8 }, () => high.next())).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    high.reset();
    expect(high.next()).toBe(500);
  });

  it('spreads nodes out: waits differ with the random draw', () => {
    const waits = new Set(Array.from({ length: 20 }, () => new Backoff().next()));
    expect(waits.size).toBeGreaterThan(5);
  });
});
