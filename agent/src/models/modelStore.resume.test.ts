import { readFile, stat, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelStore } from './index.ts';
import { CREDENTIAL, storeFixture, type StoreFixture } from '../../test/support/modelStoreFixture.ts';

const never = new AbortController().signal;
const SIZE = 1024 * 1024;
const HALF = SIZE / 2;
let f: StoreFixture;
afterEach(() => f?.close());

/**
 * The offset a resume asked for. A cut connection may lose the bytes still buffered in the client
 * (undici discards them with the error), so it is at most where the server cut, never zero.
 */
function resumedAt(range: string | string[] | undefined, cutAt = HALF): number {
  const m = /^bytes=(\d+)-$/.exec(String(range));
  const at = Number(m?.[1]);
  expect(at).toBeGreaterThan(0);
  expect(at).toBeLessThanOrEqual(cutAt);
  return at;
}

function open(extra: Partial<Parameters<typeof ModelStore.open>[0]> = {}) {
  return ModelStore.open({ dir: f.dir, credential: CREDENTIAL, retryDelayMs: 10, ...extra });
}

describe('ModelStore downloads resume', () => {
  it('a connection cut half-way is resumed with a Range request and completes verified', async () => {
    f = await storeFixture(SIZE, { faults: (n) => (n === 0 ? { cutAfterBytes: HALF } : undefined) });
    const store = await open({ progressIntervalMs: 0 });
    const model = await store.ensureModel(f.load(), f.onProgress, never);

    expect((await readFile(model.path)).equals(f.blob)).toBe(true);
    expect(f.mirror.requests).toHaveLength(2);
    expect(f.mirror.requests[0]?.headers.range).toBeUndefined();
    const at = resumedAt(f.mirror.requests[1]?.headers.range);
    const done = f.progress.map((p) => p.done_bytes);
    expect(done).toContain(at);
    expect(done.at(-1)).toBe(SIZE);
    expect(f.progress.every((p) => p.phase === 'downloading')).toBe(true);
  });

  it('a server answering 200 instead of 206 on resume restarts the file from zero', async () => {
    f = await storeFixture(SIZE, { faults: (n) => (n === 0 ? { cutAfterBytes: HALF } : { ignoreRange: true }) });
    const store = await open();
    const model = await store.ensureModel(f.load(), f.onProgress, never);
    expect(f.mirror.requests).toHaveLength(2);
    resumedAt(f.mirror.requests[1]?.headers.range);
    expect((await stat(model.path)).size).toBe(SIZE);
    expect((await readFile(model.path)).equals(f.blob)).toBe(true);
  });

  it('a partial file left by an earlier run is hashed and resumed after a restart', async () => {
    f = await storeFixture(SIZE, { faults: (n) => [{ cutAfterBytes: HALF }, { status: 502 }][n] });
    const first = await open({ maxFailuresWithoutProgress: 1 });
    await expect(first.ensureModel(f.load(), f.onProgress, never)).rejects.toMatchObject({ code: 'download_failed', retryable: true });
    const kept = (await stat(first.partialPath(f.sha256))).size;
    expect(resumedAt(f.mirror.requests[1]?.headers.range)).toBe(kept);
    expect(f.progress.at(-1)).toMatchObject({ phase: 'failed', done_bytes: kept });

    const restarted = await open();
    const model = await restarted.ensureModel(f.load(), f.onProgress, never);
    expect(f.mirror.requests.map((r) => r.headers.range)).toEqual([undefined, `bytes=${kept}-`, `bytes=${kept}-`]);
    expect((await readFile(model.path)).equals(f.blob)).toBe(true);
  });

  it('a partial file longer than the blob is dropped (416) and the download starts over', async () => {
    f = await storeFixture(SIZE);
    const store = await open();
    await writeFile(store.partialPath(f.sha256), Buffer.alloc(SIZE + 10, 7));
    const model = await store.ensureModel({ ...f.load(), size_bytes: null }, f.onProgress, never);
    expect(f.mirror.requests.map((r) => r.headers.range)).toEqual([`bytes=${SIZE + 10}-`, undefined]);
    expect(model.size_bytes).toBe(SIZE);
    expect((await readFile(model.path)).equals(f.blob)).toBe(true);
  });

  it('server errors (5xx) and a stalled transfer are retried', async () => {
    f = await storeFixture(SIZE, { faults: (n) => [{ status: 503 }, { delayMs: 1_000 }][n] });
    const store = await open({ stallTimeoutMs: 150 });
    const model = await store.ensureModel(f.load(), f.onProgress, never);
    expect(f.mirror.requests).toHaveLength(3);
    expect((await readFile(model.path)).equals(f.blob)).toBe(true);
  });

  it('gives up after repeated failures without progress, keeping the partial file', async () => {
    f = await storeFixture(SIZE, { faults: (n) => (n === 0 ? { cutAfterBytes: HALF } : { status: 502 }) });
    const store = await open({ maxFailuresWithoutProgress: 3 });
    const err = await store.ensureModel(f.load(), f.onProgress, never).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'download_failed', retryable: true });
    expect((err as Error).message).toContain('answered 502');
    expect(f.mirror.requests).toHaveLength(4); // the cut one, then 3 without progress
    expect((await stat(store.partialPath(f.sha256))).size).toBe(resumedAt(f.mirror.requests[3]?.headers.range));
  });

  it('a mirror whose blob is shorter than declared cannot make it loop: restarts count as failures', async () => {
    f = await storeFixture(SIZE);
    const store = await open({ maxFailuresWithoutProgress: 3 });
    const err = await store.ensureModel({ ...f.load(), size_bytes: SIZE + 1000 }, f.onProgress, never).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'download_failed' });
    // full transfer (short), resume refused (416, restart), full transfer again, 416 again: gives up
    expect(f.mirror.requests.map((r) => r.headers.range)).toEqual([undefined, `bytes=${SIZE}-`, undefined, `bytes=${SIZE}-`]);
  });

  it('asks for the bytes as stored (no content encoding)', async () => {
    f = await storeFixture(1024);
    const store = await open();
    await store.ensureModel(f.load(), f.onProgress, never);
    expect(f.mirror.requests[0]?.headers['accept-encoding']).toBe('identity');
  });

  it('a refused credential fails at once as mirror_refused with the fix in the message', async () => {
    f = await storeFixture(SIZE);
    const store = await ModelStore.open({ dir: f.dir, credential: 'revoked' });
    const err = await store.ensureModel(f.load(), f.onProgress, never).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'mirror_refused', retryable: false });
    expect((err as Error).message).toMatch(/answered 401 for .*: is the node credential still valid\? run `porten login` again$/);
    expect(f.mirror.requests).toHaveLength(1);
    expect(f.progress.at(-1)).toMatchObject({ phase: 'failed' });
  });

  it('aborting stops the download without reporting failure; the partial file is resumed later', async () => {
    f = await storeFixture(SIZE, { chunkBytes: 16 * 1024, chunkDelayMs: 10 });
    const store = await open({ progressIntervalMs: 0 });
    const ac = new AbortController();
    const reason = new Error('agent stopping');
    const pending = store.ensureModel(f.load(), (p) => {
      f.onProgress(p);
      if (p.done_bytes >= 64 * 1024) ac.abort(reason);
    }, ac.signal);
    await expect(pending).rejects.toBe(reason);
    expect(f.progress.some((p) => p.phase === 'failed')).toBe(false);
    await new Promise((r) => setTimeout(r, 50));
    const kept = (await stat(store.partialPath(f.sha256))).size;
    expect(kept).toBeGreaterThanOrEqual(64 * 1024);

    const model = await store.ensureModel(f.load(), f.onProgress, never);
    expect(f.mirror.requests.at(-1)?.headers.range).toBe(`bytes=${kept}-`);
    expect((await readFile(model.path)).equals(f.blob)).toBe(true);
  });

  it('one caller aborting leaves the shared download running for the others', async () => {
    f = await storeFixture(SIZE, { chunkBytes: 32 * 1024, chunkDelayMs: 5 });
    const store = await open();
    const ac = new AbortController();
    const leaving = store.ensureModel(f.load('a'), f.onProgress, ac.signal);
    const staying = store.ensureModel(f.load('b'), f.onProgress, never);
    setTimeout(() => ac.abort(new Error('gone')), 30);
    await expect(leaving).rejects.toThrow('gone');
    const model = await staying;
    expect(f.mirror.requests).toHaveLength(1);
    expect((await readFile(model.path)).equals(f.blob)).toBe(true);
  });
});
