import { createReadStream, existsSync, openSync, closeSync, renameSync, statSync, writeSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { AirgapError } from './airgapError.ts';
import { parsePartName, partName } from './bundleLayout.ts';

/** The files a bundle is read from: itself, or all its parts in order. */
export interface BundleFiles {
  /** The bundle's name without the part suffix. */
  bundle: string;
  files: string[];
  size: number;
}

/**
 * Finds a bundle's files from the path a user gave: a whole bundle, or any one part (normally the
 * first) of a split one. Every part must be there; a missing one is named.
 */
export function bundleFiles(path: string): BundleFiles {
  const split = parsePartName(path);
  if (!split) {
    if (!existsSync(path)) {
      const first = partName(path, 1, 1).replace(/-of-0001$/, '');
      const parts = existsSync(dirname(path)) ? readdirSync(dirname(path)).filter((f) => f.startsWith(basename(first))) : [];
      const hint = parts.length > 0 ? `; it is split: pass its first part, ${join(dirname(path), parts.sort()[0]!)}` : '';
      throw new AirgapError('bundle_unreadable', `the bundle ${path} does not exist${hint}`);
    }
    return { bundle: path, files: [path], size: statSync(path).size };
  }
  const files = Array.from({ length: split.count }, (_, i) => partName(split.bundle, i + 1, split.count));
  const missing = files.map((f, i) => ({ f, i })).filter(({ f }) => !existsSync(f));
  if (missing.length > 0) {
    const names = missing.map(({ f, i }) => `part ${i + 1} of ${split.count} (${basename(f)})`).join(', ');
    throw new AirgapError('part_missing', `the bundle is incomplete: ${names} ${missing.length === 1 ? 'is' : 'are'} missing from ${dirname(path)}; copy every part into the same folder`);
  }
  return { bundle: split.bundle, files, size: files.reduce((n, f) => n + statSync(f).size, 0) };
}

/** The bundle's bytes, reading its files one after the other (no copy on disk). */
export async function* bundleBytes(b: BundleFiles): AsyncGenerator<Buffer> {
  for (const f of b.files) {
    for await (const chunk of createReadStream(f, { highWaterMark: 1 << 20 })) yield chunk as Buffer;
  }
}

/**
 * Writes a byte stream as `out` (partSize undefined) or as parts of at most `partSize` bytes named
 * `<out>.part-NNNN-of-MMMM`. Parts are written under temporary names and renamed once the count is
 * known. Returns the files written.
 */
export class BundleWriter {
  private readonly out: string;
  private readonly partSize: number | undefined;
  private fd = -1;
  private inPart = 0;
  private readonly temps: string[] = [];

  constructor(out: string, partSize?: number) {
    this.out = out;
    this.partSize = partSize;
    for (const f of readdirSync(dirname(out))) {
      if (f === basename(out) || (f.startsWith(`${basename(out)}.part-`))) rmSync(join(dirname(out), f), { force: true });
    }
  }

  write(data: Buffer): void {
    let rest = data;
    while (rest.length > 0) {
      if (this.fd < 0 || (this.partSize !== undefined && this.inPart === this.partSize)) this.nextFile();
      const room = this.partSize === undefined ? rest.length : Math.min(rest.length, this.partSize - this.inPart);
      let done = 0;
      while (done < room) done += writeSync(this.fd, rest, done, room - done);
      this.inPart += room;
      rest = rest.subarray(room);
    }
  }

  private nextFile(): void {
    if (this.fd >= 0) closeSync(this.fd);
    const temp = this.partSize === undefined ? `${this.out}.partial` : `${this.out}.part-${String(this.temps.length + 1).padStart(4, '0')}.partial`;
    this.fd = openSync(temp, 'w');
    this.temps.push(temp);
    this.inPart = 0;
  }

  finish(): string[] {
    if (this.fd >= 0) closeSync(this.fd);
    if (this.partSize === undefined) {
      renameSync(this.temps[0]!, this.out);
      return [this.out];
    }
    return this.temps.map((temp, i) => {
      const name = partName(this.out, i + 1, this.temps.length);
      renameSync(temp, name);
      return name;
    });
  }
}

/** `4G`, `700M`, `1500000000`: a size in bytes (K/M/G/T are powers of 1024). */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]i?B?|B)?$/i.exec(text.trim());
  if (!m) throw new AirgapError('usage', `--split ${text}: not a size; write it like 4G, 700M or 1500000000`);
  const unit = (m[2] ?? 'B')[0]!.toUpperCase();
  const size = Math.floor(Number(m[1]) * 1024 ** 'BKMGT'.indexOf(unit));
  if (size < 1024 * 1024) throw new AirgapError('usage', `--split ${text}: parts must be at least 1M`);
  return size;
}
