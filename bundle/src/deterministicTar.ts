import { createWriteStream, lstatSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { BundleError } from './bundleError.ts';

interface Entry {
  /** Archive path, `/`-separated, directories without the trailing slash. */
  path: string;
  abs: string;
  kind: 'dir' | 'file';
  size: number;
  executable: boolean;
}

export const BLOCK = 512;
const NAME_MAX = 100;
const PREFIX_MAX = 155;

/**
 * Writes `dir` as `outFile`, a gzip'd tar whose entries are `rootName/…`, and whose bytes depend
 * only on names, contents and executable bits: entries in byte order of their paths, every mtime 0,
 * owner and group 0 (root), modes 0755 (directories, executables) or 0644, and a gzip header with
 * neither file name nor time (level 6: level 9 takes three times as long for 1 % smaller). Paths
 * longer than ustar holds get a PAX `path` record (no PAX times). Symbolic links and other special
 * files are refused: what they point to depends on the machine.
 */
export async function writeDeterministicTarGz(dir: string, rootName: string, outFile: string): Promise<void> {
  const entries = collect(dir, rootName).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  await pipeline(Readable.from(tarStream(entries)), createGzip({ level: 6 }), createWriteStream(outFile));
}

function collect(abs: string, path: string): Entry[] {
  const st = lstatSync(abs);
  if (st.isDirectory()) {
    const children = readdirSync(abs).flatMap((name) => collect(join(abs, name), `${path}/${name}`));
    return [{ path, abs, kind: 'dir', size: 0, executable: true }, ...children];
  }
  if (st.isFile()) return [{ path, abs, kind: 'file', size: st.size, executable: (st.mode & 0o111) !== 0 }];
  throw new BundleError('archive_failed', `${abs} is neither a file nor a directory; the archive takes only those`);
}

async function* tarStream(entries: Entry[]): AsyncGenerator<Buffer> {
  for (const e of entries) {
    yield entryHeader(e.kind === 'dir' ? `${e.path}/` : e.path, e.kind, e.size, e.executable ? 0o755 : 0o644);
    if (e.kind === 'file') {
      const content = await readFile(e.abs);
      if (content.length !== e.size) throw new BundleError('archive_failed', `${e.abs} changed while it was archived`);
      yield padded(content);
    }
  }
  yield Buffer.alloc(2 * BLOCK);
}

/**
 * The header block(s) of one entry in the deterministic form above (times 0, owner root): a PAX
 * `path` record first when the name does not fit ustar. The content follows, padded with `padded`.
 * Exported for the air-gap bundle (airgap/), which writes its tar from files of several places.
 */
export function entryHeader(name: string, kind: 'dir' | 'file', size: number, mode: number): Buffer {
  const split = splitUstarName(name);
  const pax = split ? [] : [paxRecord('path', name)];
  const { prefix, base } = split ?? { prefix: '', base: Buffer.from(name).subarray(0, NAME_MAX).toString() };
  return Buffer.concat([
    ...pax.flatMap((record) => [header({ name: 'PaxHeader', prefix: '', type: 'x', size: record.length, mode: 0o644 }), padded(record)]),
    header({ name: base, prefix, type: kind === 'dir' ? '5' : '0', size, mode }),
  ]);
}

/** `name` as ustar's name (≤ 100 bytes) and prefix (≤ 155 bytes, split at a `/`), or null when it does not fit. */
function splitUstarName(name: string): { prefix: string; base: string } | null {
  if (Buffer.byteLength(name) <= NAME_MAX) return { prefix: '', base: name };
  // A directory's trailing slash stays with its base name.
  for (let i = name.indexOf('/'); i !== -1 && i < name.length - 1; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const base = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= PREFIX_MAX && Buffer.byteLength(base) <= NAME_MAX) return { prefix, base };
  }
  return null;
}

/** One PAX record: `<length> <key>=<value>\n`, where the length counts the whole record, itself included. */
function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length = String(length).length + Buffer.byteLength(body);
  return Buffer.from(`${length}${body}`);
}

function header(h: { name: string; prefix: string; type: '0' | '5' | 'x'; size: number; mode: number }): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(h.name, 0, NAME_MAX);
  octal(b, 100, 8, h.mode);
  octal(b, 108, 8, 0); // uid
  octal(b, 116, 8, 0); // gid
  octal(b, 124, 12, h.size);
  octal(b, 136, 12, 0); // mtime
  b.fill(' ', 148, 156); // checksum field counts as spaces while summing
  b.write(h.type, 156);
  b.write('ustar\u000000', 257);
  b.write('root', 265);
  b.write('root', 297);
  octal(b, 329, 8, 0); // devmajor
  octal(b, 337, 8, 0); // devminor
  b.write(h.prefix, 345, PREFIX_MAX);
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148);
  return b;
}

/** An octal number filling `width - 1` digits and a NUL. */
function octal(b: Buffer, offset: number, width: number, value: number): void {
  const digits = value.toString(8);
  if (digits.length > width - 1) throw new BundleError('archive_failed', `${value} does not fit a ${width}-byte tar field (a file over 8 GiB?)`);
  b.write(`${digits.padStart(width - 1, '0')}\u0000`, offset);
}

/** `data` padded with zeros to a whole number of 512-byte blocks. */
export function padded(data: Buffer): Buffer {
  const rest = data.length % BLOCK;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest)]);
}
