import { describe, expect, it } from 'vitest';
import { answerRange } from './byteRange.ts';

const etag = '"abc"';
const answer = (range: string | undefined, ifRange?: string) => answerRange(range, 1000, { etag, ifRange });

describe('answerRange (one byte range of a 1000-byte blob)', () => {
  it('no Range: the whole blob', () => {
    expect(answer(undefined)).toEqual({ kind: 'full' });
  });

  it('resume from byte N to the end', () => {
    expect(answer('bytes=400-')).toEqual({ kind: 'partial', start: 400, end: 999 });
    expect(answer('bytes=0-')).toEqual({ kind: 'partial', start: 0, end: 999 });
  });

  it('a closed range, its end clamped to the blob', () => {
    expect(answer('bytes=10-19')).toEqual({ kind: 'partial', start: 10, end: 19 });
    expect(answer('bytes=990-5000')).toEqual({ kind: 'partial', start: 990, end: 999 });
  });

  it('the last S bytes', () => {
    expect(answer('bytes=-100')).toEqual({ kind: 'partial', start: 900, end: 999 });
    expect(answer('bytes=-5000')).toEqual({ kind: 'partial', start: 0, end: 999 });
  });

  it('416 for ranges past the end, backwards, empty, several or malformed', () => {
    for (const r of ['bytes=1000-', 'bytes=99999999999999999999-', 'bytes=20-10', 'bytes=-0', 'bytes=-', 'bytes=0-1,5-6', 'items=0-', 'bytes=a-']) {
      expect(answer(r).kind, r).toBe('unsatisfiable');
    }
  });

  it('If-Range naming another blob: the whole blob instead of a piece of the wrong one', () => {
    expect(answer('bytes=400-', '"other"')).toEqual({ kind: 'full' });
    expect(answer('bytes=400-', etag)).toEqual({ kind: 'partial', start: 400, end: 999 });
  });
});
