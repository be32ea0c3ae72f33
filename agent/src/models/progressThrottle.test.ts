import { describe, expect, it } from 'vitest';
import { ProgressThrottle } from './progressThrottle.ts';

describe('ProgressThrottle', () => {
  it('reports the first and last update, each 1 % step, and otherwise once per interval', () => {
    const t = new ProgressThrottle(250);
    expect(t.shouldReport(0, 10_000, 0)).toBe(true);
    expect(t.shouldReport(50, 10_000, 10)).toBe(false); // 0.5 %, 10 ms
    expect(t.shouldReport(100, 10_000, 20)).toBe(true); // 1 %
    expect(t.shouldReport(150, 10_000, 30)).toBe(false);
    expect(t.shouldReport(160, 10_000, 300)).toBe(true); // 250 ms passed
    expect(t.shouldReport(160, 10_000, 600)).toBe(false); // nothing new
    expect(t.shouldReport(10_000, 10_000, 601)).toBe(true); // done
    expect(t.shouldReport(10_000, 10_000, 602)).toBe(false);
  });

  it('with an unknown total reports on the interval only', () => {
    const t = new ProgressThrottle(250);
    expect(t.shouldReport(0, 0, 0)).toBe(true);
    expect(t.shouldReport(5_000, 0, 100)).toBe(false);
    expect(t.shouldReport(9_000, 0, 250)).toBe(true);
  });
});
