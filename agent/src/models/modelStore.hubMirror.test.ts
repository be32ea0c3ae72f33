import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadMessage, LoadProgressMessage } from '@porten/shared/protocol';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeGguf, putWeights } from '@porten/hub/testing/mirrorTestSupport';
import { fixtures } from '@porten/hub/testing/fixtures';
import { startTestHub, type TestHub } from '@porten/hub/testing/testHub';
import { startCuttingProxy, type CuttingProxy } from '../../test/support/cuttingProxy.ts';
import { ModelStore } from './index.ts';

/**
 * The store against the real hub's model mirror (PostgreSQL-backed hub, weights imported through
 * the admin API): what a node does when the hub sends `load` for a model it lacks.
 */
describe('ModelStore against the real hub mirror', () => {
  let hub: TestHub;
  let credential: string;
  const model = fakeGguf(3 * 1024 * 1024 + 5);
  const tampered = fakeGguf(512 * 1024);
  let dir: string;
  let progress: LoadProgressMessage[];
  let proxy: CuttingProxy | undefined;

  const load = (id: string, m: { sha256: string; bytes: Buffer }, base = hub.url): LoadMessage => ({
    type: 'load',
    model: id,
    sha256: m.sha256,
    size_bytes: m.bytes.length,
    url: `${base}/v1/nodes/mirror/${m.sha256}`, // as the tunnel client resolves the hub's path
  });

  beforeAll(async () => {
    hub = await startTestHub();
    const f = fixtures(hub);
    const org = await f.org('Clinic');
    ({ credential } = await f.approvedNode(org.id, 'eu-west', 'trusted'));
    expect((await putWeights(hub.url, hub.adminToken, 'tiny', model.bytes)).status).toBe(201);
    expect((await putWeights(hub.url, hub.adminToken, 'tiny-tampered', tampered.bytes)).status).toBe(201);
    // Corrupt the hub's copy in place: same length, one byte different. The mirror serves what it holds.
    const fh = await open(join(hub.config.blobDir, `sha256-${tampered.sha256}`), 'r+');
    await fh.write(randomBytes(1), 0, 1, 100_000);
    await fh.close();
  });
  afterAll(async () => {
    await hub?.close();
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'porten-models-'));
    progress = [];
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  it('downloads with the node credential, verifies and lands the weights in the store', async () => {
    const store = await ModelStore.open({ dir, credential, progressIntervalMs: 0 });
    const local = await store.ensureModel(load('tiny', model), (p) => progress.push(p));
    expect(local).toEqual({ id: 'tiny', path: join(dir, `sha256-${model.sha256}`), sha256: model.sha256, size_bytes: model.bytes.length });
    expect((await readFile(local.path)).equals(model.bytes)).toBe(true);
    expect(progress.at(-1)).toMatchObject({ phase: 'downloading', done_bytes: model.bytes.length, total_bytes: model.bytes.length });
  });

  it('a download cut half-way resumes from the hub with a Range request', async () => {
    proxy = await startCuttingProxy(hub.url, 1024 * 1024);
    const store = await ModelStore.open({ dir, credential, retryDelayMs: 10 });
    const local = await store.ensureModel(load('tiny', model, proxy.url), (p) => progress.push(p));
    expect((await readFile(local.path)).equals(model.bytes)).toBe(true);
    expect(proxy.requestHeads).toHaveLength(2);
    expect(proxy.requestHeads[0]).not.toMatch(/^range:/im);
    const at = Number(/^range: bytes=(\d+)-$/im.exec(proxy.requestHeads[1] ?? '')?.[1]);
    expect(at).toBeGreaterThan(0);
    expect(at).toBeLessThan(1024 * 1024);
  });

  it('a blob the mirror holds corrupted is rejected as model_corrupt, discarded, and reported failed', async () => {
    const store = await ModelStore.open({ dir, credential });
    const err = await store.ensureModel(load('tiny-tampered', tampered), (p) => progress.push(p)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'model_corrupt' });
    expect((err as Error).message).toContain(`expected sha256 ${tampered.sha256}, got `);
    await expect(stat(join(dir, `sha256-${tampered.sha256}`))).rejects.toThrow(/ENOENT/);
    await expect(stat(store.partialPath(tampered.sha256))).rejects.toThrow(/ENOENT/);
    expect(progress.at(-1)).toMatchObject({ model: 'tiny-tampered', phase: 'failed', error: (err as Error).message });
  });

  it('an unknown node credential is refused by the hub: mirror_refused, one attempt', async () => {
    const store = await ModelStore.open({ dir, credential: 'porten-node-not-a-real-credential' });
    const err = await store.ensureModel(load('tiny', model), (p) => progress.push(p)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'mirror_refused', retryable: false });
    expect((err as Error).message).toMatch(/answered 401 for .*: invalid_node_credential: node credential is unknown or revoked: run `porten login`/);
  });
});
