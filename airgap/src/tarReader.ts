import { BLOCK } from '@porten/bundle/deterministicTar';
import { AirgapError } from './airgapError.ts';

/** One entry of a tar being read: its body must be consumed (or left: the reader skips it) before the next. */
export interface TarEntry {
  path: string;
  size: number;
  type: 'file' | 'dir' | 'other';
  /** Offset of the entry's content in the tar. */
  offset: number;
  body: AsyncIterable<Buffer>;
}

/**
 * Reads exact byte counts from a stream of chunks (files read in sequence, sockets, …), counting the
 * offset. Holds at most one chunk besides what a caller asked for.
 */
export class ByteReader {
  offset = 0;
  private readonly it: AsyncIterator<Buffer>;
  private rest: Buffer = Buffer.alloc(0);

  constructor(source: AsyncIterable<Buffer>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** Chunks adding up to exactly `n` bytes; throws `bundle_unreadable` when the stream ends first. */
  async *chunks(n: number, what: string): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (this.rest.length === 0) {
        const next = await this.it.next();
        if (next.done) throw new AirgapError('bundle_unreadable', `the bundle ends in the middle of ${what} (at byte ${this.offset}); it is truncated: copy it again`);
        this.rest = next.value;
        continue;
      }
      const take = Math.min(left, this.rest.length);
      const chunk = this.rest.subarray(0, take);
      this.rest = this.rest.subarray(take);
      left -= take;
      this.offset += take;
      yield chunk;
    }
  }

  async read(n: number, what: string): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const c of this.chunks(n, what)) parts.push(c);
    return Buffer.concat(parts);
  }

  /** True when nothing but zero bytes (or nothing) is left. */
  async atEnd(): Promise<boolean> {
    for (;;) {
      if (this.rest.some((b) => b !== 0)) return false;
      this.offset += this.rest.length;
      this.rest = Buffer.alloc(0);
      const next = await this.it.next();
      if (next.done) return true;
      this.rest = next.value;
    }
  }
}

/**
 * The entries of a ustar/PAX tar, in order. Header checksums are checked (a damaged header is
 * named by its offset); PAX `path` and `size` records apply to the next entry. Ends at the
 * end-of-archive blocks; trailing bytes that are not zeros are an error.
 */
export async function* readTar(source: AsyncIterable<Buffer>): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(source);
  let pax: Record<string, string> = {};
  for (;;) {
    const at = reader.offset;
    const block = await reader.read(BLOCK, 'a tar header');
    if (block.every((b) => b === 0)) {
      if (!(await reader.atEnd())) throw new AirgapError('bundle_unreadable', `the bundle has data after its end-of-archive marker (byte ${reader.offset}); it was altered: ask for a new copy`);
      return;
    }
    const header = parseHeader(block, at);
    const size = pax.size !== undefined ? Number(pax.size) : header.size;
    const path = pax.path ?? header.path;
    pax = {};
    const padding = (BLOCK - (size % BLOCK)) % BLOCK;
    if (header.typeflag === 'x') {
      pax = parsePax(await reader.read(size, 'a PAX header'), at);
      await reader.read(padding, 'tar padding');
      continue;
    }
    const type = header.typeflag === '0' || header.typeflag === '\0' ? 'file' : header.typeflag === '5' ? 'dir' : 'other';
    const start = reader.offset;
    yield { path: path.replace(/\/$/, ''), size, type, offset: start, body: reader.chunks(size, path) };
    const left = start + size - reader.offset; // what the consumer did not read
    if (left > 0) for await (const _ of reader.chunks(left, path));
    await reader.read(padding, 'tar padding');
  }
}

function parseHeader(b: Buffer, at: number): { path: string; size: number; typeflag: string } {
  const stored = parseInt(b.subarray(148, 156).toString('latin1').replace(/\0.*$/s, '').trim(), 8);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : b[i]!;
  if (stored !== sum) throw new AirgapError('bundle_unreadable', `the bundle has a damaged tar header at byte ${at} (checksum ${stored} ≠ ${sum}); it was altered or damaged in transfer: copy it again`);
  const text = (start: number, len: number) => b.subarray(start, start + len).toString('utf8').replace(/\0.*$/s, '');
  const name = text(0, 100);
  const prefix = text(345, 155);
  const size = parseInt(text(124, 12).trim() || '0', 8);
  if (!Number.isSafeInteger(size)) throw new AirgapError('bundle_unreadable', `the bundle has a tar header with an unreadable size at byte ${at}; copy it again`);
  return { path: prefix ? `${prefix}/${name}` : name, size, typeflag: String.fromCharCode(b[156]!) };
}

function parsePax(data: Buffer, at: number): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    const len = Number(data.subarray(i, space).toString());
    if (space < 0 || !Number.isSafeInteger(len) || len <= 0) throw new AirgapError('bundle_unreadable', `the bundle has a damaged PAX header at byte ${at}; copy it again`);
    const record = data.subarray(space + 1, i + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    out[record.slice(0, eq)] = record.slice(eq + 1);
    i += len;
  }
  return out;
}
