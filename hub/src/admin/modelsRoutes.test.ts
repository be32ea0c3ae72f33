import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../test/support/testHub.ts';
import type { HubEvent } from '../events/index.ts';
import { client, expectError, expectSchema, type Client } from '../../test/support/adminTestClient.ts';

describe('model catalog (real hub)', () => {
  let hub: TestHub;
  let api: Client;
  const events: HubEvent[] = [];
  beforeAll(async () => {
    hub = await startTestHub();
    api = client(hub.url, hub.adminToken);
    hub.hub.deps.events.on((e) => events.push(e));
  });
  afterAll(async () => {
    await hub?.close();
  });

  const gguf = {
    id: 'acme/llama-3.1-8b-q4',
    format: 'gguf',
    sha256: 'a'.repeat(64),
    size_bytes: 4_920_000_000,
    context_length: 8192,
    capabilities: ['chat', 'completions', 'tools'],
    memory_mb: 6144,
    enabled: true,
  };

  it('creates (201) then replaces (200) an entry by id, publishing catalog_changed each time', async () => {
    const r = await api.post('/models', gguf);
    expect(r.status).toBe(201);
    expectSchema('Model', r.body);
    expect(r.body).toMatchObject(gguf);
    expect(events).toEqual([{ type: 'catalog_changed' }]);
    const replaced = await api.post('/models', { ...gguf, enabled: false });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ enabled: false, created_at: r.body.created_at });
    expect(events).toHaveLength(2);
  });

  it('lists the catalog and reads one entry (an id with "/" is sent as %2F)', async () => {
    expect((await api.get('/models')).body.data.map((m: { id: string }) => m.id)).toContain(gguf.id);
    const one = await api.get(`/models/${encodeURIComponent(gguf.id)}`);
    expect(one.status).toBe(200);
    expect(one.body.id).toBe(gguf.id);
    expectError(await api.get('/models/nope'), 404, 'not_found');
  });

  it('an external model needs no blob; defaults memory_mb 0 and enabled true', async () => {
    const r = await api.post('/models', { id: 'upstream-gpt', format: 'external', context_length: 128000, capabilities: ['chat', 'json'] });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ sha256: null, size_bytes: null, memory_mb: 0, enabled: true });
  });

  const invalid: [string, Record<string, unknown>, string][] = [
    ['missing id', { ...gguf, id: undefined }, 'id'],
    ['id with spaces', { ...gguf, id: 'my model' }, 'id'],
    ['unknown format', { ...gguf, format: 'onnx' }, 'format'],
    ['gguf without sha256', { ...gguf, sha256: null }, 'sha256'],
    ['gguf without size', { ...gguf, size_bytes: undefined }, 'size_bytes'],
    ['sha256 not hex', { ...gguf, sha256: 'Z'.repeat(64) }, 'sha256'],
    ['negative size', { ...gguf, size_bytes: -1 }, 'size_bytes'],
    ['zero context', { ...gguf, context_length: 0 }, 'context_length'],
    ['fractional memory', { ...gguf, memory_mb: 1.5 }, 'memory_mb'],
    ['unknown capability', { ...gguf, capabilities: ['chat', 'sing'] }, 'capabilities[1]'],
    ['no capabilities', { ...gguf, capabilities: [] }, 'capabilities'],
    ['enabled as string', { ...gguf, enabled: 'yes' }, 'enabled'],
    ['unknown field', { ...gguf, url: 'https://example.org/x.gguf' }, 'url'],
  ];
  for (const [why, body, param] of invalid) {
    it(`400 with param ${param}: ${why}`, async () => {
      expectError(await api.post('/models', body), 400, 'invalid_request_error', param);
    });
  }
});
