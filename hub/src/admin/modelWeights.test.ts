import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/support/fixtures.ts';
import { startTestHub, type TestHub } from '../../test/support/testHub.ts';
import type { HubEvent } from '../events/index.ts';
import { blobFiles, fakeGguf, putWeights } from '../../test/support/mirrorTestSupport.ts';
import { client, expectError, expectSchema, roleTokens, type Client } from '../../test/support/adminTestClient.ts';

const MAX_MODEL_BYTES = 256 * 1024;

describe('PUT /admin/v1/models/{id}/weights: importing GGUF files into the mirror (real hub)', () => {
  let hub: TestHub;
  let api: Client;
  let blobDir: string;
  let tokens: Awaited<ReturnType<typeof roleTokens>>;
  const events: HubEvent[] = [];
  const put = (id: string, body: Buffer | Buffer[], opts: Parameters<typeof putWeights>[4] = {}, token: string | null = hub.adminToken) => putWeights(hub.url, token, id, body, opts);

  beforeAll(async () => {
    blobDir = join(mkdtempSync(join(tmpdir(), 'hub-mirror-')), 'blobs');
    hub = await startTestHub({ HUB_BLOB_DIR: blobDir, HUB_MAX_MODEL_BYTES: String(MAX_MODEL_BYTES) });
    api = client(hub.url, hub.adminToken);
    tokens = await roleTokens(api);
    hub.hub.deps.events.on((e) => events.push(e));
  });
  afterAll(async () => {
    await hub?.close();
  });

  const first = fakeGguf(100_000);

  it('imports a new model: 201, the catalog lists it with the file\'s sha256 and size, the blob is stored, catalog_changed', async () => {
    const r = await put('acme/tiny-q4', first.bytes, { query: { sha256: first.sha256, capabilities: 'chat,completions', context_length: '2048' } });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    expectSchema('Model', r.body);
    expect(r.body).toMatchObject({
      id: 'acme/tiny-q4',
      format: 'gguf',
      sha256: first.sha256,
      size_bytes: 100_000,
      context_length: 2048,
      capabilities: ['chat', 'completions'],
      memory_mb: 1, // estimated: 1.2 × 0.1 MB, at least 1
      enabled: true,
    });
    const listed = (await api.get('/models')).body.data.find((m: { id: string }) => m.id === 'acme/tiny-q4');
    expect(listed).toMatchObject({ sha256: first.sha256, size_bytes: 100_000 });
    expect(blobFiles(blobDir)).toEqual([`sha256-${first.sha256}`]);
    expect(readFileSync(join(blobDir, `sha256-${first.sha256}`)).equals(first.bytes)).toBe(true);
    expect(events).toContainEqual({ type: 'catalog_changed' });
  });

  it('re-importing the same file is idempotent: 200, same entry, one blob; fields not given are kept', async () => {
    const r = await put('acme/tiny-q4', first.bytes, { query: { memory_mb: '300' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ sha256: first.sha256, context_length: 2048, capabilities: ['chat', 'completions'], memory_mb: 300 });
    const again = await put('acme/tiny-q4', first.bytes, { contentType: null });
    expect(again.status).toBe(200);
    expect(again.body.memory_mb).toBe(300); // same blob: the operator's figure stays
    expect(blobFiles(blobDir)).toEqual([`sha256-${first.sha256}`]);
  });

  it('new weights for an existing id replace the blob reference and re-estimate memory', async () => {
    const next = fakeGguf(200_000);
    const r = await put('acme/tiny-q4', next.bytes, { query: { enabled: 'false' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ sha256: next.sha256, size_bytes: 200_000, memory_mb: 1, enabled: false, context_length: 2048 });
    expect(blobFiles(blobDir)).toEqual([`sha256-${first.sha256}`, `sha256-${next.sha256}`].sort());
  });

  it('an entry created by POST keeps its fields when its weights are imported; streamed bodies without Content-Length work', async () => {
    await api.post('/models', { id: 'planned', format: 'external', context_length: 32000, capabilities: ['chat', 'tools'], memory_mb: 9000 });
    const f = fakeGguf(70_000);
    const r = await put('planned', [f.bytes.subarray(0, 10), f.bytes.subarray(10, 30_000), f.bytes.subarray(30_000)]);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ format: 'gguf', sha256: f.sha256, size_bytes: 70_000, context_length: 32000, capabilities: ['chat', 'tools'], memory_mb: 1 });
  });

  it('a wrong expected sha256 is 400 (param sha256): no blob, no entry', async () => {
    const before = blobFiles(blobDir);
    const f = fakeGguf(50_000);
    const r = await put('mismatch', f.bytes, { query: { sha256: 'c'.repeat(64) } });
    expectError(r, 400, 'invalid_request_error', 'sha256');
    expect(r.body.error.message).toContain(f.sha256);
    expect(blobFiles(blobDir)).toEqual(before);
    expectError(await api.get('/models/mismatch'), 404, 'not_found');
  });

  it('a body that is not a GGUF file is 400 (param body), nothing stored', async () => {
    const before = blobFiles(blobDir);
    const r = await put('not-a-model', Buffer.from('PK\u0003\u0004 this is a zip file, not a model '.repeat(100)));
    expectError(r, 400, 'invalid_request_error', 'body');
    expect(r.body.error.message).toMatch(/not a GGUF model file/);
    expectError(await put('empty', Buffer.alloc(0)), 400, 'invalid_request_error', 'body');
    expect(blobFiles(blobDir)).toEqual(before);
    expectError(await api.get('/models/not-a-model'), 404, 'not_found');
  });

  it('too large: 413 by Content-Length before reading, and 413 while streaming; nothing stored', async () => {
    const before = blobFiles(blobDir);
    const big = fakeGguf(MAX_MODEL_BYTES + 1);
    expectError(await put('big', big.bytes), 413, 'request_too_large');
    const streamed = await put('big', [big.bytes.subarray(0, 100_000), big.bytes.subarray(100_000, 200_000), big.bytes.subarray(200_000)]);
    expectError(streamed, 413, 'request_too_large');
    // Far over the limit: the hub answers without reading the rest and closes the connection.
    const endless = Array.from({ length: 64 }, (_, i) => (i === 0 ? big.bytes.subarray(0, 64 * 1024) : Buffer.alloc(64 * 1024)));
    const cut = await put('big', endless);
    expectError(cut, 413, 'request_too_large');
    expect(cut.headers.get('connection')).toBe('close');
    expect(blobFiles(blobDir)).toEqual(before);
    expectError(await api.get('/models/big'), 404, 'not_found');
  });

  it('an upload cut off by the client leaves no partial file and no entry', async () => {
    const before = blobFiles(blobDir);
    const abort = new AbortController();
    let sent = false;
    const body = new ReadableStream({
      async pull(c) {
        if (!sent) {
          sent = true;
          c.enqueue(fakeGguf(64 * 1024).bytes);
          return;
        }
        await new Promise((r) => setTimeout(r, 200));
        abort.abort();
      },
    });
    const r = await fetch(`${hub.url}/admin/v1/models/cut/weights`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${hub.adminToken}`, 'content-type': 'application/octet-stream' },
      body,
      duplex: 'half',
      signal: abort.signal,
    } as RequestInit).catch((err: Error) => err);
    expect(r).toBeInstanceOf(Error);
    await waitFor(() => blobFiles(blobDir).length === before.length, 'partial file removed');
    expect(blobFiles(blobDir)).toEqual(before);
    expectError(await api.get('/models/cut'), 404, 'not_found');
  });

  it('roles: admin and operator import; an auditor gets 403, no token 401', async () => {
    const f = fakeGguf(1000);
    expect((await put('by-operator', f.bytes, {}, tokens.operator.token)).status).toBe(201);
    expectError(await put('by-auditor', f.bytes, {}, tokens.auditor.token), 403, 'insufficient_role');
    expectError(await put('anonymous', f.bytes, {}, null), 401, 'invalid_admin_token');
    expectError(await api.get('/models/by-auditor'), 404, 'not_found');
  });

  const bad: [string, string, Record<string, string>, string][] = [
    ['an id with spaces', 'my model', {}, 'id'],
    ['a sha256 in upper case', 'x', { sha256: 'A'.repeat(64) }, 'sha256'],
    ['an unknown capability', 'x', { capabilities: 'chat,sing' }, 'capabilities[1]'],
    ['a repeated capability', 'x', { capabilities: 'chat,chat' }, 'capabilities[1]'],
    ['a zero context length', 'x', { context_length: '0' }, 'context_length'],
    ['enabled as "yes"', 'x', { enabled: 'yes' }, 'enabled'],
    ['an unknown query parameter', 'x', { format: 'gguf' }, 'format'],
  ];
  for (const [why, id, query, param] of bad) {
    it(`400 (param ${param}) for ${why}, before anything is stored`, async () => {
      expectError(await put(id, fakeGguf(1000).bytes, { query }), 400, 'invalid_request_error', param);
    });
  }

  it('a JSON body is 415: the file itself goes in the body', async () => {
    const r = await put('json', Buffer.from(JSON.stringify({ url: 'https://example.org/model.gguf' })), { contentType: 'application/json' });
    expectError(r, 415, 'unsupported_media_type');
  });
});
