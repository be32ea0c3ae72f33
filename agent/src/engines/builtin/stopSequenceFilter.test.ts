import { describe, expect, it } from 'vitest';
import { StopSequenceFilter } from './stopSequenceFilter.ts';

function stream(stops: string[], chunks: string[]): { shown: string[]; stopped: boolean } {
  const f = new StopSequenceFilter(stops);
  const shown: string[] = [];
  for (const c of chunks) {
    const s = f.push(c);
    if (s !== '') shown.push(s);
    if (f.stopped) return { shown, stopped: true };
  }
  const rest = f.flush();
  if (rest !== '') shown.push(rest);
  return { shown, stopped: false };
}

describe('StopSequenceFilter', () => {
  it('passes text straight through when there is no stop sequence', () => {
    expect(stream([], ['a', 'b', 'c'])).toEqual({ shown: ['a', 'b', 'c'], stopped: false });
  });

  it('ends before a stop sequence split across chunks and never shows any part of it', () => {
    expect(stream(['END'], ['ab', 'cE', 'N', 'Dxyz'])).toEqual({ shown: ['ab', 'c'], stopped: true });
  });

  it('holds back a possible start, then releases it when it turns out not to be one', () => {
    expect(stream(['END'], ['aE', 'N', 'x', 'b'])).toEqual({ shown: ['a', 'ENx', 'b'], stopped: false });
  });

  it('releases held text at the end when generation stops for another reason', () => {
    expect(stream(['END'], ['aE', 'N'])).toEqual({ shown: ['a', 'EN'], stopped: false });
  });

  it('stops at the earliest of several stop sequences, including one inside a single chunk', () => {
    expect(stream(['yz', 'c'], ['ab', 'xyzc'])).toEqual({ shown: ['ab', 'x'], stopped: true });
  });
});
