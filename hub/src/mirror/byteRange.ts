/** What to send for a GET with an optional `Range` header, against a resource of `size` bytes. */
export type RangeAnswer =
  | { kind: 'full' }
  /** 206 with bytes start..end, both inclusive. */
  | { kind: 'partial'; start: number; end: number }
  /** 416: the range cannot be served; `why` says so to the client. */
  | { kind: 'unsatisfiable'; why: string };

const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/;

/**
 * Reads a `Range` header (RFC 9110 §14) for one byte range: `bytes=N-` (resume from N), `bytes=N-M`,
 * `bytes=-S` (the last S bytes). `ifRange`: when an `If-Range` header is present and does not equal
 * `etag`, the blob the client holds a piece of is another one, so the whole blob is sent.
 *
 * Multiple ranges and malformed headers are refused with 416 rather than ignored (which RFC 9110
 * would allow): the only client is the node agent resuming a download, and a silent 200 with the
 * whole file would make it re-fetch tens of gigabytes while believing it resumed.
 */
export function answerRange(range: string | undefined, size: number, opts: { ifRange?: string | undefined; etag: string }): RangeAnswer {
  if (range === undefined) return { kind: 'full' };
  if (opts.ifRange !== undefined && opts.ifRange.trim() !== opts.etag) return { kind: 'full' };
  const m = SINGLE_RANGE.exec(range.trim());
  if (!m) return { kind: 'unsatisfiable', why: `Range ${JSON.stringify(range.slice(0, 80))} is not one byte range; send e.g. "bytes=1048576-" to resume` };
  const [, first = '', last = ''] = m;
  const num = (s: string) => (s.length <= 16 ? Number(s) : Number.POSITIVE_INFINITY);
  if (first === '') {
    const suffix = num(last);
    if (last === '' || suffix === 0) return { kind: 'unsatisfiable', why: `Range ${range} asks for no bytes` };
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = num(first);
  if (start >= size) return { kind: 'unsatisfiable', why: `Range starts at byte ${first} but the blob has ${size} bytes` };
  if (last === '') return { kind: 'partial', start, end: size - 1 };
  const end = num(last);
  if (end < start) return { kind: 'unsatisfiable', why: `Range ${range} ends before it starts` };
  return { kind: 'partial', start, end: Math.min(end, size - 1) };
}
