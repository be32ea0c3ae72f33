import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures } from '../../test/support/fixtures.ts';
import { startTestHub, type TestHub } from '../../test/support/testHub.ts';
import { chat } from '../../test/support/httpClient.ts';
import { client } from '../../test/support/adminTestClient.ts';
import type { LoadMessage } from '@porten/shared/protocol';
import { fakeGguf, putWeights, sha256Hex } from '../../test/support/mirrorTestSupport.ts';

/** A node downloading from the mirror: raw bytes and headers. */
async function download(url: string, credential: string | null, headers: Record<string, string> = {}, method = 'GET') {
  const res = await fetch(url, { method, headers: { ...(credential ? { authorization: `Bearer ${credential}` } : {}), ...headers } });
  const bytes = Buffer.from(await res.arrayBuffer());
  let body: any = undefined;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    /* blob bytes */
  }
  return { status: res.status, headers: res.headers, bytes, body };
}

describe('GET /v1/nodes/mirror/{sha256}: nodes download model weights (real hub)', () => {
  let hub: TestHub;
  let blobDir: string;
  let credential: string;
  let nodeId: string;
  const model = fakeGguf(300_000);
  const mirror = (sha: string) => `${hub.url}/v1/nodes/mirror/${sha}`;

  beforeAll(async () => {
    blobDir = mkdtempSync(join(tmpdir(), 'hub-mirror-'));
    hub = await startTestHub({ HUB_BLOB_DIR: blobDir });
    const f = fixtures(hub);
    const org = await f.org('Clinic');
    ({ credential, node: { id: nodeId } } = await f.approvedNode(org.id, 'eu-west', 'trusted'));
    expect((await putWeights(hub.url, hub.adminToken, 'tiny', model.bytes)).status).toBe(201);
  });
  afterAll(async () => {
    await hub?.close();
  });

  it('an approved node downloads the identical bytes, with length, ETag and Accept-Ranges', async () => {
    const r = await download(mirror(model.sha256), credential);
    expect(r.status).toBe(200);
    expect(r.bytes.equals(model.bytes)).toBe(true);
    expect(sha256Hex(r.bytes)).toBe(model.sha256);
    expect(r.headers.get('content-length')).toBe('300000');
    expect(r.headers.get('etag')).toBe(`"${model.sha256}"`);
    expect(r.headers.get('accept-ranges')).toBe('bytes');
    expect(r.headers.get('content-type')).toBe('application/octet-stream');
  });

  it('an interrupted download resumes: Range bytes=N- returns the tail with 206, and the pieces make the whole', async () => {
    const cut = 123_457;
    const r = await download(mirror(model.sha256), credential, { range: `bytes=${cut}-` });
    expect(r.status).toBe(206);
    expect(r.headers.get('content-range')).toBe(`bytes ${cut}-299999/300000`);
    expect(r.headers.get('content-length')).toBe(String(300_000 - cut));
    expect(sha256Hex(Buffer.concat([model.bytes.subarray(0, cut), r.bytes]))).toBe(model.sha256);
    // If-Range with the blob's ETag keeps the range; a closed range works too.
    const piece = await download(mirror(model.sha256), credential, { range: 'bytes=10-19', 'if-range': `"${model.sha256}"` });
    expect(piece.status).toBe(206);
    expect(piece.bytes.equals(model.bytes.subarray(10, 20))).toBe(true);
  });

  it('416 with Content-Range bytes */size for a range past the end or one it cannot serve', async () => {
    for (const range of ['bytes=300000-', 'bytes=0-1,5-9', 'lines=1-2']) {
      const r = await download(mirror(model.sha256), credential, { range });
      expect(r.status, range).toBe(416);
      expect(r.headers.get('content-range')).toBe('bytes */300000');
      expect(r.body.error).toMatchObject({ type: 'invalid_request_error', param: 'range' });
    }
  });

  it('HEAD tells the size without sending the blob', async () => {
    const r = await download(mirror(model.sha256), credential, {}, 'HEAD');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-length')).toBe('300000');
    expect(r.bytes.length).toBe(0);
  });

  it('401 invalid_node_credential without a node credential, with an unknown one, or with an admin token', async () => {
    for (const token of [null, 'porten-node-not-a-real-credential', hub.adminToken]) {
      const r = await download(mirror(model.sha256), token);
      expect(r.status).toBe(401);
      expect(r.body.error).toMatchObject({ code: 'invalid_node_credential', type: 'invalid_request_error' });
      expect(r.bytes.includes(model.bytes.subarray(100, 200))).toBe(false);
    }
  });

  it('404 for a blob the catalog does not name (unknown, malformed, or only in the store)', async () => {
    expect((await download(mirror('d'.repeat(64)), credential)).body.error.code).toBe('not_found');
    expect((await download(mirror('not-a-digest'), credential)).status).toBe(404);
    const stray = fakeGguf(1000);
    writeFileSync(join(blobDir, `sha256-${stray.sha256}`), stray.bytes);
    const r = await download(mirror(stray.sha256), credential);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('not_found');
  });

  it('404 naming the fix when the catalog names a blob the mirror does not hold', async () => {
    const admin = client(hub.url, hub.adminToken);
    const missing = 'e'.repeat(64);
    await admin.post('/models', { id: 'registered-only', format: 'gguf', sha256: missing, size_bytes: 10, context_length: 4096, capabilities: ['chat'] });
    const r = await download(mirror(missing), credential);
    expect(r.status).toBe(404);
    expect(r.body.error.message).toMatch(/import the weights/);
  });

  it('a revoked node is refused at once (401)', async () => {
    const admin = client(hub.url, hub.adminToken);
    expect((await admin.post(`/nodes/${nodeId}/revoke`)).status).toBe(200);
    const r = await download(mirror(model.sha256), credential);
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('invalid_node_credential');
  });
});

describe('on-demand loading points nodes at the mirror (real hub, protocol-level node)', () => {
  let hub: TestHub;

  beforeAll(async () => {
    // HUB_PUBLIC_URL must be the address nodes reach, so the port is chosen up front.
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    hub = await startTestHub({ HUB_BLOB_DIR: mkdtempSync(join(tmpdir(), 'hub-mirror-')), HUB_PORT: String(port), HUB_PUBLIC_URL: `http://127.0.0.1:${port}` });
  });
  afterAll(async () => {
    await hub?.close();
  });

  it('the load frame\'s url downloads, with the node\'s credential, exactly the imported file', async () => {
    const model = fakeGguf(50_000);
    expect((await putWeights(hub.url, hub.adminToken, 'on-demand', model.bytes, { query: { capabilities: 'chat' } })).status).toBe(201);
    const f = fixtures(hub);
    const org = await f.org('Clinic');
    const key = await f.key(org.id);
    const { node, credential } = await f.onlineNode(org.id, 'eu-west', 'trusted');
    const loads: LoadMessage[] = [];
    const conn = hub.hub.registry.get(node.id)!;
    const send = conn.send.bind(conn);
    conn.send = (m) => {
      if (m.type === 'load') loads.push(m);
      return send(m);
    };

    const r = await chat(hub.url, key.secret, { model: 'on-demand', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(loads).toHaveLength(1);
    // A path the node resolves against the hub URL it uses (a node in a container knows the hub by another address).
    expect(loads[0]).toMatchObject({ model: 'on-demand', sha256: model.sha256, size_bytes: 50_000, url: `/v1/nodes/mirror/${model.sha256}` });
    const got = await download(new URL(loads[0]!.url!, hub.url).href, credential);
    expect(got.status).toBe(200);
    expect(sha256Hex(got.bytes)).toBe(loads[0]!.sha256);
  });
});
