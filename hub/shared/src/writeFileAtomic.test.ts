import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from './writeFileAtomic.ts';

describe('writeFileAtomic', () => {
  it('replaces a file whole, with the exact mode asked for, and leaves no temporary file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    const path = join(dir, 'secret.json');
    writeFileSync(path, 'old');
    chmodSync(path, 0o666);
    const umask = process.umask(0o077);
    try {
      writeFileAtomic(path, '{"new":true}\n', { mode: 0o640, durable: true });
    } finally {
      process.umask(umask);
    }
    expect(readFileSync(path, 'utf8')).toBe('{"new":true}\n');
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['secret.json']);
  });

  it('keeps the old file and removes the temporary one when the rename fails', () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    const target = join(dir, 'target');
    writeFileSync(join(target), 'x'); // a file where a folder is needed below
    expect(() => writeFileAtomic(join(target, 'inner.json'), 'y')).toThrow(/ENOTDIR/);
    expect(readdirSync(dir)).toEqual(['target']);
    expect(readFileSync(target, 'utf8')).toBe('x');
  });
});
