import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { writeDeterministicTarGz } from './deterministicTar.ts';

const LONG_DIR = `${'d'.repeat(90)}/${'e'.repeat(90)}`; // a path ustar holds only split into prefix + name
const LONGEST = `${'x'.repeat(120)}/${'y'.repeat(120)}.js`; // a 120-byte name: only a PAX record holds it

function tree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tar-src-'));
  mkdirSync(join(dir, 'b', LONG_DIR), { recursive: true });
  mkdirSync(join(dir, 'a', 'x'.repeat(120)), { recursive: true });
  writeFileSync(join(dir, 'b', 'data.bin'), Buffer.alloc(1500, 7));
  writeFileSync(join(dir, 'a', 'run.sh'), '#!/bin/sh\necho hi\n');
  chmodSync(join(dir, 'a', 'run.sh'), 0o700);
  writeFileSync(join(dir, 'b', LONG_DIR, 'deep.txt'), 'deep');
  writeFileSync(join(dir, 'a', LONGEST), 'long');
  writeFileSync(join(dir, 'empty'), '');
  return dir;
}

function tar(args: string[]): string {
  const r = spawnSync('tar', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tar ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

describe('writeDeterministicTarGz', () => {
  it('writes the same bytes for the same files whatever their times, and GNU tar reads back every file', async () => {
    const src = tree();
    const out = mkdtempSync(join(tmpdir(), 'tar-out-'));
    await writeDeterministicTarGz(src, 'root', join(out, 'one.tar.gz'));
    utimesSync(join(src, 'b', 'data.bin'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    await writeDeterministicTarGz(src, 'root', join(out, 'two.tar.gz'));
    expect(readFileSync(join(out, 'two.tar.gz')).equals(readFileSync(join(out, 'one.tar.gz')))).toBe(true);
    expect(readFileSync(join(out, 'one.tar.gz')).readUInt32LE(4)).toBe(0); // gzip header time

    const x = mkdtempSync(join(tmpdir(), 'tar-x-'));
    tar(['-xzf', join(out, 'one.tar.gz'), '-C', x]);
    expect(readFileSync(join(x, 'root', 'b', 'data.bin')).equals(Buffer.alloc(1500, 7))).toBe(true);
    expect(readFileSync(join(x, 'root', 'b', LONG_DIR, 'deep.txt'), 'utf8')).toBe('deep');
    expect(readFileSync(join(x, 'root', 'a', LONGEST), 'utf8')).toBe('long');
    expect(readFileSync(join(x, 'root', 'empty'), 'utf8')).toBe('');
    expect(statSync(join(x, 'root', 'a', 'run.sh')).mode & 0o777).toBe(0o755);
  });

  it('lists entries in byte order with root ownership, mode 0755/0644 and time 0', async () => {
    const src = tree();
    const file = join(mkdtempSync(join(tmpdir(), 'tar-out-')), 'p.tar.gz');
    await writeDeterministicTarGz(src, 'root', file);
    const names = tar(['-tzf', file]).trim().split('\n');
    expect(names).toEqual([...names].sort());
    expect(names.slice(0, 3)).toEqual(['root/', 'root/a/', 'root/a/run.sh']);
    const lines = tar(['--numeric-owner', '-tvzf', file]).trim().split('\n');
    for (const line of lines) expect(line).toMatch(/^(drwxr-xr-x|-rwxr-xr-x|-rw-r--r--) 0\/0 +\d+ 1970-01-01 00:00 root\//);
    // No PAX time records: only `path` ones (GNU tar would list an mtime record in the raw bytes).
    expect(gunzipSync(readFileSync(file)).toString('latin1')).not.toMatch(/\d+ (mtime|atime|ctime)=/);
  });

  it('refuses a symbolic link', async () => {
    const src = tree();
    symlinkSync('empty', join(src, 'link'));
    await expect(writeDeterministicTarGz(src, 'root', join(src, '..', 'never.tar.gz'))).rejects.toThrow(/link is neither a file nor a directory/);
  });
});
