import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, waitFor } from '../../test/support/fixtures.ts';
import { chat } from '../../test/support/httpClient.ts';
import { startTestHub, type TestHub } from '../../test/support/testHub.ts';
import type { TestNode } from '../../test/support/testNode.ts';

/** On-demand loading through the real tunnel: load commands, warm-up budget, progress, idle unload. */
describe('on-demand loading', () => {
  let t: TestHub;
  let f: ReturnType<typeof fixtures>;
  let org: string;
  const nodes: TestNode[] = [];

  beforeAll(async () => {
    t = await startTestHub({ HUB_WARMUP_BUDGET_MS: '1500', HUB_DEMAND_WINDOW_MS: '1000' });
    f = fixtures(t);
    org = (await f.org('warm-org')).id;
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await t.close();
  });

  async function node(region: string, opts: Parameters<typeof f.onlineNode>[3]) {
    const n = await f.onlineNode(org, region, 'trusted', opts);
    nodes.push(n.tn);
    return n;
  }

  it('asks the best compliant node that fits to load a model, waits, then serves', async () => {
    const model = await f.model('cold-1', { memory_mb: 4000, sha256: 'a'.repeat(64), size_bytes: 5_000_000 });
    const small = await node('w1', { capacity: { vram_total_mb: 1000, vram_free_mb: 1000, max_concurrency: 4 }, loadMs: 100 });
    const big = await node('w1', { capacity: { vram_total_mb: 8000, vram_free_mb: 8000, max_concurrency: 4 }, loadMs: 100 });
    const key = await f.key(org, { fleet: 'own', regions: ['w1'] });
    const r = await chat(t.url, key.secret, { model: model.id, messages: [{ role: 'user', content: 'x' }] });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-porten-node')).toBe(big.node.id);
    expect(big.tn.loadsRequested).toEqual([model.id]);
    expect(small.tn.loadsRequested).toEqual([]);
    const w = await fetch(`${t.url}/public/v1/models/warming?model=${model.id}`).then((x) => x.json() as Promise<Record<string, unknown>>);
    expect(w).toMatchObject({ model: model.id, ready: true, phase: 'ready', pct: 100 });
  });

  it('answers 503 model_warming when the load outlasts the warm-up budget, and shows progress', async () => {
    const model = await f.model('cold-2', { memory_mb: 100, size_bytes: 9_000_000 });
    const n = await node('w2', { loadMs: null });
    const key = await f.key(org, { fleet: 'own', regions: ['w2'] });
    const r = await chat(t.url, key.secret, { model: model.id, messages: [{ role: 'user', content: 'x' }] });
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe('model_warming');
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(n.tn.loadsRequested).toEqual([model.id]);
    const w = await fetch(`${t.url}/public/v1/models/warming?model=${model.id}`).then((x) => x.json() as Promise<Record<string, unknown>>);
    expect(w).toMatchObject({ model: model.id, ready: false, phase: 'downloading', total_mb: 9 });
    expect(JSON.stringify(w)).not.toContain(n.node.id);
  });

  it('refuses with no_available_node when the load fails on every compliant node', async () => {
    const model = await f.model('cold-3', { memory_mb: 100 });
    await node('w3', { failLoads: true });
    const key = await f.key(org, { fleet: 'own', regions: ['w3'] });
    const r = await chat(t.url, key.secret, { model: model.id, messages: [{ role: 'user', content: 'x' }] });
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe('no_available_node');
    expect(r.body.error.message).toMatch(/loading cold-3 failed on every compliant node/);
  });

  it('after an on-demand load, retries a node that dies before its first byte by loading the model on the next compliant node', async () => {
    const model = await f.model('cold-4', { memory_mb: 100 });
    const first = await node('w6', { behaviour: () => ({ kind: 'die_before_first_byte' }) });
    const second = await node('w6', { queueDepth: 5 });
    const key = await f.key(org, { fleet: 'own', regions: ['w6'] });
    const r = await chat(t.url, key.secret, { model: model.id, messages: [{ role: 'user', content: 'x' }] });
    expect(r.status).toBe(200);
    expect(r.headers.get('x-porten-node')).toBe(second.node.id);
    expect(first.tn.loadsRequested).toEqual([model.id]);
    expect(first.tn.requests).toHaveLength(1);
    expect(second.tn.loadsRequested).toEqual([model.id]);
  });

  it('counts warm-up and load refusals by reason', async () => {
    const metrics = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${t.adminToken}` } }).then((x) => x.text());
    expect(metrics).toMatch(/porten_hub_routing_refusals_total\{reason="warming"\} 1\b/);
    expect(metrics).toMatch(/porten_hub_routing_refusals_total\{reason="load_failed"\} 1\b/);
  });

  it('refuses when no compliant node has enough memory for the model', async () => {
    const model = await f.model('huge', { memory_mb: 100_000 });
    await node('w4', {});
    const key = await f.key(org, { fleet: 'own', regions: ['w4'] });
    const r = await chat(t.url, key.secret, { model: model.id, messages: [{ role: 'user', content: 'x' }] });
    expect(r.status).toBe(503);
    expect(r.body.error.message).toMatch(/enough memory to load it \(100000 MB\)/);
  });

  it('unloads a model nobody used for the demand window', async () => {
    const model = await f.model('idle-1', { memory_mb: 100 });
    const n = await node('w5', { loadedModels: [model.id] });
    await waitFor(() => !n.tn.loadedModels.includes(model.id), 'idle model unloaded', 5000);
  });

  it('answers 404 for the warming endpoint of a model not in the catalog', async () => {
    const r = await fetch(`${t.url}/public/v1/models/warming?model=nope`);
    expect(r.status).toBe(404);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('model_not_found');
  });
});
