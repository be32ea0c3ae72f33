import { mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { HubError } from '../errors/index.ts';
import { BlobStore } from './blobStore.ts';
import { fakeGguf } from '../../test/support/mirrorTestSupport.ts';
import { GGUF_HEADER_BYTES, parseGgufHeader } from './ggufHeader.ts';

async function freshStore(): Promise<BlobStore> {
  const store = new BlobStore(join(mkdtempSync(join(tmpdir(), 'blobs-')), 'nested', 'blobs'));
  await store.prepare();
  return store;
}

/** A source of `bytes` in small chunks, as a network upload arrives. */
const chunked = (bytes: Buffer, size = 1000) => Readable.from((function* () {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
})());

const gguf = { bytes: GGUF_HEADER_BYTES, check: parseGgufHeader };

async function refusal(p: Promise<unknown>): Promise<HubError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(HubError);
  return err as HubError;
}

describe('BlobStore', () => {
  it('stores a streamed blob as sha256-<hex>, creating its directory at prepare', async () => {
    const store = await freshStore();
    const f = fakeGguf(50_000);
    const r = await store.put(chunked(f.bytes), { maxBytes: 1e9, head: gguf, expectedSha256: f.sha256 });
    expect(r).toEqual({ sha256: f.sha256, size: 50_000, created: true });
    expect(readdirSync(store.dir)).toEqual([`sha256-${f.sha256}`]);
    expect(readFileSync(store.path(f.sha256)).equals(f.bytes)).toBe(true);
    expect(await store.size(f.sha256)).toBe(50_000);
  });

  it('storing the same blob again is idempotent', async () => {
    const store = await freshStore();
    const f = fakeGguf(5000);
    await store.put(chunked(f.bytes), { maxBytes: 1e9 });
    expect(await store.put(chunked(f.bytes), { maxBytes: 1e9 })).toEqual({ sha256: f.sha256, size: 5000, created: false });
    expect(readdirSync(store.dir)).toEqual([`sha256-${f.sha256}`]);
  });

  it('replaces a damaged copy (wrong size) of a blob', async () => {
    const store = await freshStore();
    const f = fakeGguf(5000);
    writeFileSync(store.path(f.sha256), f.bytes.subarray(0, 100));
    expect((await store.put(chunked(f.bytes), { maxBytes: 1e9 })).created).toBe(true);
    expect(readFileSync(store.path(f.sha256)).equals(f.bytes)).toBe(true);
  });

  it('a digest mismatch keeps nothing and says which digest arrived', async () => {
    const store = await freshStore();
    const f = fakeGguf(5000);
    const err = await refusal(store.put(chunked(f.bytes), { maxBytes: 1e9, expectedSha256: 'b'.repeat(64) }));
    expect(err.param).toBe('sha256');
    expect(err.message).toContain(f.sha256);
    expect(readdirSync(store.dir)).toEqual([]);
  });

  it('too large: refused as the limit is crossed, keeping nothing', async () => {
    const store = await freshStore();
    const err = await refusal(store.put(chunked(fakeGguf(5000).bytes), { maxBytes: 4096 }));
    expect(err.code).toBe('request_too_large');
    expect(readdirSync(store.dir)).toEqual([]);
  });

  it('the head check sees the first bytes even when they arrive one at a time, and refuses early', async () => {
    const store = await freshStore();
    const f = fakeGguf(100);
    expect((await store.put(chunked(f.bytes, 1), { maxBytes: 1e9, head: gguf })).sha256).toBe(f.sha256);
    let pulled = 0;
    const notGguf = Readable.from((function* () {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield Buffer.from('x'.repeat(100));
      }
    })());
    expect((await refusal(store.put(notGguf, { maxBytes: 1e9, head: gguf }))).message).toMatch(/not a GGUF model file/);
    expect(pulled).toBeLessThan(10);
    expect((await refusal(store.put(chunked(Buffer.from('GGUF')), { maxBytes: 1e9, head: gguf }))).message).toMatch(/4 bytes long/);
    expect(readdirSync(store.dir)).toEqual([`sha256-${f.sha256}`]);
  });

  it('a source that fails mid-way (client gone) leaves no partial file', async () => {
    const store = await freshStore();
    const broken = Readable.from((async function* () {
      yield fakeGguf(1000).bytes;
      throw new Error('aborted');
    })());
    await expect(store.put(broken, { maxBytes: 1e9 })).rejects.toThrow('aborted');
    expect(readdirSync(store.dir)).toEqual([]);
  });

  it('prepare removes partial files abandoned more than an hour ago, and only those', async () => {
    const store = await freshStore();
    writeFileSync(join(store.dir, '.partial-old'), 'x');
    writeFileSync(join(store.dir, '.partial-active'), 'x');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    utimesSync(join(store.dir, '.partial-old'), twoHoursAgo, twoHoursAgo);
    expect(await store.prepare()).toEqual({ removedPartials: 1 });
    expect(readdirSync(store.dir)).toEqual(['.partial-active']);
  });

  it('a directory that cannot be created stops start-up with a clear message', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'blobs-')), 'a-file');
    writeFileSync(file, '');
    const err = await refusal(new BlobStore(join(file, 'blobs')).prepare());
    expect(err.code).toBe('config_invalid');
    expect(err.message).toContain('HUB_BLOB_DIR=');
  });
});
