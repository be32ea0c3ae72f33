import { createHash } from 'node:crypto';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAgentError } from '../errors/index.ts';
import { ModelStore } from './index.ts';
import { CREDENTIAL, storeFixture, type StoreFixture } from '../../test/support/modelStoreFixture.ts';

const never = new AbortController().signal;
let f: StoreFixture;
afterEach(() => f?.close());

describe('ModelStore.ensureModel', () => {
  it('downloads with the node credential, verifies, lands at sha256-<hex> and reports progress up to the total', async () => {
    f = await storeFixture(3 * 1024 * 1024 + 17, { chunkBytes: 256 * 1024 });
    const store = await ModelStore.open({ dir: f.dir, credential: CREDENTIAL, progressIntervalMs: 0 });
    const model = await store.ensureModel(f.load(), f.onProgress, never);

    expect(model).toEqual({ id: 'tiny-llama', path: join(f.dir, `sha256-${f.sha256}`), sha256: f.sha256, size_bytes: f.blob.length });
    expect((await readFile(model.path)).equals(f.blob)).toBe(true);
    expect(await readdir(join(f.dir, '.partial'))).toEqual([]);
    expect(f.mirror.requests).toHaveLength(1);
    expect(f.mirror.requests[0]?.headers).toMatchObject({ authorization: `Bearer ${CREDENTIAL}` });
    expect(f.mirror.requests[0]?.headers.range).toBeUndefined();

    expect(f.progress.length).toBeGreaterThan(2);
    expect(f.progress.every((p) => p.type === 'load_progress' && p.model === 'tiny-llama' && p.phase === 'downloading' && p.total_bytes === f.blob.length)).toBe(true);
    const done = f.progress.map((p) => p.done_bytes);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done.at(-1)).toBe(f.blob.length);
  });

  it('throttles progress to about one report per 1 % or interval', async () => {
    f = await storeFixture(4 * 1024 * 1024, { chunkBytes: 4 * 1024 });
    const store = await ModelStore.open({ dir: f.dir, credential: CREDENTIAL, progressIntervalMs: 60_000 });
    await store.ensureModel(f.load(), f.onProgress, never);
    // 1024 chunks arrive; at most the first report, one per 1 % and the final one are sent.
    expect(f.progress.length).toBeLessThanOrEqual(102);
    expect(f.progress.at(-1)?.done_bytes).toBe(f.blob.length);
  });

  it('returns a present model at once, without asking the mirror, also after a restart (the index survives)', async () => {
    f = await storeFixture(64 * 1024);
    const first = await ModelStore.open({ dir: f.dir, credential: CREDENTIAL });
    await first.ensureModel(f.load(), f.onProgress, never);
    expect(f.mirror.requests).toHaveLength(1);

    const restarted = await ModelStore.open({ dir: f.dir, credential: CREDENTIAL });
    expect(restarted.list()).toEqual([{ id: 'tiny-llama', sha256: f.sha256, size_bytes: f.blob.length, last_used_at: expect.any(String) }]);
    expect(await restarted.get('tiny-llama')).toMatchObject({ path: join(f.dir, `sha256-${f.sha256}`), size_bytes: f.blob.length });
    const again = await restarted.ensureModel(f.load(), f.onProgress, never);
    expect(again.path).toBe(join(f.dir, `sha256-${f.sha256}`));
    expect(f.mirror.requests).toHaveLength(1);
    const index = JSON.parse(await readFile(join(f.dir, 'index.json'), 'utf8'));
    expect(index).toMatchObject({ version: 1, models: { 'tiny-llama': { sha256: f.sha256, size_bytes: f.blob.length } } });
  });

  it('a second catalog id with the same weights reuses the blob; remove keeps it until the last id goes', async () => {
    f = await storeFixture(64 * 1024);
    const store = await ModelStore.open({ dir: f.dir, credential: CREDENTIAL });
    await store.ensureModel(f.load('a'), f.onProgress, never);
    await store.ensureModel(f.load('b'), f.onProgress, never);
    expect(f.mirror.requests).toHaveLength(1);
    await store.remove('a');
    expect(await store.get('b')).not.toBeNull();
    await store.remove('b');
    await expect(stat(join(f.dir, `sha256-${f.sha256}`))).rejects.toThrow(/ENOENT/);
    expect(store.list()).toEqual([]);
  });

  it('concurrent calls for the same weights share one download and all see progress', async () => {
    f = await storeFixture(1024 * 1024, { chunkBytes: 64 * 1024, chunkDelayMs: 5 });
    const store = await ModelStore.open({ dir: f.dir, credential: CREDENTIAL, progressIntervalMs: 0 });
    const [a, b, c] = await Promise.all([
      store.ensureModel(f.load('m'), f.onProgress, never),
      store.ensureModel(f.load('m'), f.onProgress, never),
      store.ensureModel(f.load('m-alias'), f.onProgress, never),
    ]);
    expect(f.mirror.requests).toHaveLength(1);
    expect(a.path).toBe(b.path);
    expect(c).toMatchObject({ id: 'm-alias', path: a.path });
    expect(f.progress.filter((p) => p.model === 'm-alias' && p.done_bytes === f.blob.length)).toHaveLength(1);
    expect(f.progress.filter((p) => p.model === 'm' && p.done_bytes === f.blob.length)).toHaveLength(2);
  });

  it('a corrupted blob (wrong bytes, right length) is rejected as model_corrupt, deleted, and reported failed', async () => {
    let wrong: Buffer = Buffer.alloc(0);
    f = await storeFixture(256 * 1024, {
      tamper: (blob) => {
        blob[1000] = (blob[1000] ?? 0) ^ 0xff;
        return (wrong = blob);
      },
    });
    const store = await ModelStore.open({ dir: f.dir, credential: CREDENTIAL });

    const err = await store.ensureModel(f.load(), f.onProgress, never).catch((e: unknown) => e);
    expect(isAgentError(err, 'model_corrupt')).toBe(true);
    const actual = createHash('sha256').update(wrong).digest('hex');
    expect((err as Error).message).toContain(`expected sha256 ${f.sha256}, got ${actual}`);
    expect((err as { retryable: boolean }).retryable).toBe(false);
    await expect(stat(join(f.dir, `sha256-${f.sha256}`))).rejects.toThrow(/ENOENT/);
    await expect(stat(store.partialPath(f.sha256))).rejects.toThrow(/ENOENT/);
    expect(f.progress.at(-1)).toMatchObject({ phase: 'failed', model: 'tiny-llama', error: (err as Error).message });
    expect(store.list()).toEqual([]);
  });

  it('a load without mirror weights is model_unavailable; a malformed sha256 never becomes a path', async () => {
    f = await storeFixture(1024);
    const store = await ModelStore.open({ dir: f.dir, credential: CREDENTIAL });
    const external = { ...f.load('ext'), sha256: null, url: null };
    await expect(store.ensureModel(external, f.onProgress, never)).rejects.toMatchObject({ code: 'model_unavailable' });
    expect(f.progress.at(-1)).toMatchObject({ model: 'ext', phase: 'failed' });
    await expect(store.ensureModel({ ...f.load('evil'), sha256: '../../etc/passwd' }, f.onProgress, never)).rejects.toMatchObject({ code: 'model_unavailable' });
    expect(f.mirror.requests).toHaveLength(0);
  });

  it('refuses a download that would not fit on the disk (statfs) before fetching it', async () => {
    f = await storeFixture(1024);
    const store = await ModelStore.open({ dir: f.dir, credential: CREDENTIAL });
    const huge = { ...f.load('huge'), size_bytes: 2 ** 52 };
    const err = await store.ensureModel(huge, f.onProgress, never).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'insufficient_disk', retryable: false });
    expect((err as Error).message).toMatch(/not enough disk space for model huge: it needs \d+ MiB more under .*, \d+ MiB are free/);
    expect(f.progress.at(-1)).toMatchObject({ phase: 'failed' });
    expect(f.mirror.requests).toHaveLength(0);

    const tight = await ModelStore.open({ dir: f.dir, credential: CREDENTIAL, diskReserveBytes: 0, freeDiskBytes: async () => 1023 });
    await expect(tight.ensureModel(f.load(), f.onProgress, never)).rejects.toMatchObject({ code: 'insufficient_disk' });
  });

  it('an unreadable index is set aside; the blobs are still found by sha256', async () => {
    f = await storeFixture(1024);
    const store = await ModelStore.open({ dir: f.dir, credential: CREDENTIAL });
    await store.ensureModel(f.load(), f.onProgress, never);
    await writeFile(join(f.dir, 'index.json'), '{"version": 1, "models": ');
    const reopened = await ModelStore.open({ dir: f.dir, credential: CREDENTIAL });
    expect(reopened.list()).toEqual([]);
    expect((await readdir(f.dir)).some((n) => n.startsWith('index.json.unreadable-'))).toBe(true);
    await reopened.ensureModel(f.load(), f.onProgress, never);
    expect(f.mirror.requests).toHaveLength(1);
  });
});
