import { createHash } from 'node:crypto';
import { AirgapError } from './airgapError.ts';
import { ENTRY_PATH } from './bundleLayout.ts';

/** checksums.txt: `<sha256>  <path>` lines (sha256sum's format), sorted by path. */
export function formatChecksums(entries: { path: string; sha256: string }[]): Buffer {
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return Buffer.from(sorted.map((e) => `${e.sha256}  ${e.path}\n`).join(''));
}

/** Parses checksums.txt into path → sha256; a malformed line or a path no bundle may hold is named. */
export function parseChecksums(bytes: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  const lines = bytes.toString('utf8').split('\n');
  lines.forEach((line, i) => {
    if (line === '' && i === lines.length - 1) return;
    const m = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
    if (!m || !ENTRY_PATH.test(m[2]!) || out.has(m[2]!)) throw new AirgapError('bundle_unreadable', `checksums.txt line ${i + 1} is malformed (${JSON.stringify(line.slice(0, 80))}); the bundle is damaged: ask for a new copy`);
    out.set(m[2]!, m[1]!);
  });
  return out;
}

export const sha256Hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
