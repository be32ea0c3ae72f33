import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures } from '../../test/support/fixtures.ts';
import { rawRequest } from '../../test/support/httpClient.ts';
import { startTestHub, type TestHub } from '../../test/support/testHub.ts';
import type { TestNode } from '../../test/support/testNode.ts';

/** The OpenAI error shape with nothing else in it. */
const errorShape = (code: string, param: string | null) => ({
  error: { message: expect.any(String), type: expect.any(String), code, param },
});

/**
 * Input found to reach 500s (or Express's HTML pages) by fuzzing a running platform: each must be a
 * 4xx in the OpenAI error shape, and nothing it carried may be stored.
 */
describe('hostile input on every surface', () => {
  let t: TestHub;
  let secret: string;
  let orgId: string;
  let tn: TestNode;
  const chatBody = JSON.stringify({ model: 'm1', messages: [{ role: 'user', content: 'hi' }] });

  beforeAll(async () => {
    t = await startTestHub({ HUB_MAX_BODY_BYTES: '65536' });
    const f = fixtures(t);
    orgId = (await f.org('hostile-org')).id;
    await f.model('m1', { capabilities: ['chat'] });
    secret = (await f.key(orgId)).secret;
    ({ tn } = await f.onlineNode(orgId, 'eu', 'trusted', { loadedModels: ['m1'] }));
  });
  afterAll(async () => {
    await tn.stop();
    await t.close();
  });

  const post = (path: string, body: Buffer | string, headers: Record<string, string> = {}, token: string | null = secret) =>
    rawRequest(t.url, { method: 'POST', path, body, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  const admin = (method: string, path: string, body?: unknown) =>
    rawRequest(t.url, {
      method,
      path,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminToken}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  describe('Content-Encoding', () => {
    const encoders: Record<string, (b: Buffer) => Buffer> = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync };

    it('decodes gzip, deflate and br bodies (any case) and serves them', async () => {
      for (const [name, encode] of Object.entries(encoders)) {
        for (const spelled of [name, name.toUpperCase()]) {
          const r = await post('/v1/chat/completions', encode(Buffer.from(chatBody)), { 'content-encoding': spelled });
          expect(r.status, `${spelled}: ${r.text}`).toBe(200);
          expect(r.body.choices[0].message.content).toBe('hello from eu-trusted');
        }
      }
    });

    it('400 for a body that does not decode as its Content-Encoding says', async () => {
      for (const name of ['gzip', 'deflate', 'br', 'Gzip']) {
        const r = await post('/v1/chat/completions', Buffer.from('this is not compressed at all'), { 'content-encoding': name });
        expect(r.status, `${name}: ${r.text}`).toBe(400);
        expect(r.body).toEqual(errorShape('invalid_request_error', null));
        expect(r.body.error.message).toMatch(new RegExp(`${name.toLowerCase()}`));
      }
    });

    it('413 for a decompression bomb: the size limit applies to the decoded body', async () => {
      // ~1 MiB of JSON that compresses to about 1 KiB; the hub's limit here is 64 KiB.
      const bomb = JSON.stringify({ model: 'm1', messages: [{ role: 'user', content: 'a'.repeat(1 << 20) }] });
      for (const [name, encode] of Object.entries(encoders)) {
        const compressed = encode(Buffer.from(bomb));
        expect(compressed.length).toBeLessThan(64 * 1024);
        const r = await post('/v1/chat/completions', compressed, { 'content-encoding': name });
        expect(r.status, `${name}: ${r.text}`).toBe(413);
        expect(r.body).toEqual(errorShape('request_too_large', null));
      }
    });

    it('415 for an encoding the hub does not decode, on the API, the admin API and enrollment', async () => {
      for (const [path, token] of [
        ['/v1/chat/completions', secret],
        ['/admin/v1/orgs', t.adminToken],
        ['/v1/nodes/enroll', null],
      ] as const) {
        for (const enc of ['compress', 'zstd', 'gzip, br', 'x-unknown']) {
          const r = await post(path, chatBody, { 'content-encoding': enc }, token);
          expect(r.status, `${path} ${enc}: ${r.text}`).toBe(415);
          expect(r.body).toEqual(errorShape('unsupported_media_type', null));
          expect(r.body.error.message).toContain('Content-Encoding');
        }
      }
    });

    it('admin and enrollment bodies decode too, and refuse corrupt ones with 400', async () => {
      const created = await post('/admin/v1/orgs', gzipSync(Buffer.from(JSON.stringify({ name: 'zipped-org' }))), { 'content-encoding': 'GZIP' }, t.adminToken);
      expect(created.status, created.text).toBe(201);
      const corrupt = await post('/v1/nodes/enroll', Buffer.from('nope'), { 'content-encoding': 'deflate' }, null);
      expect(corrupt.status, corrupt.text).toBe(400);
      expect(corrupt.body).toEqual(errorShape('invalid_request_error', null));
    });
  });

  describe('request shape limits (a deep schema once crashed a node engine)', () => {
    function deepSchema(levels: number): Record<string, unknown> {
      let schema: Record<string, unknown> = { type: 'string' };
      for (let i = 0; i < levels; i++) schema = { type: 'object', properties: { p: schema } };
      return schema;
    }
    const withFormat = (schema: unknown) => JSON.stringify({ model: 'm1', messages: [{ role: 'user', content: 'hi' }], response_format: { type: 'json_schema', json_schema: { name: 'deep', schema } } });

    it('400 with param for a response_format schema nested 3,000 levels deep, and nothing dispatched', async () => {
      const before = tn.requests.length;
      const r = await post('/v1/chat/completions', withFormat(deepSchema(1500)));
      expect(r.status, r.text.slice(0, 300)).toBe(400);
      expect(r.body).toEqual(errorShape('invalid_request_error', expect.stringMatching(/^response_format\.json_schema\.schema(\.properties\.p)+/) as unknown as string));
      expect(r.body.error.message).toContain('deeper than 64 levels');
      expect(tn.requests.length).toBe(before);
    });

    it('400 for a schema within the body limit but deeper than 32 levels, or larger than 64 KiB', async () => {
      const deep = await post('/v1/chat/completions', withFormat(deepSchema(20)));
      expect(deep.status, deep.text).toBe(400);
      expect(deep.body.error.param).toMatch(/^response_format\.json_schema\.schema\.properties/);
      expect(deep.body.error.message).toContain('deeper than 32 levels');
      const tools = [{ type: 'function', function: { name: 'f', parameters: deepSchema(20) } }];
      const tool = await post('/v1/chat/completions', JSON.stringify({ model: 'm1', messages: [{ role: 'user', content: 'hi' }], tools }));
      expect(tool.status, tool.text).toBe(400);
      expect(tool.body.error.param).toMatch(/^tools\[0\]\.function\.parameters/);
    });

    it('400 for a body nested 30,000 levels deep anywhere, and the hub still ready after', async () => {
      const body = `{"model":"m1","messages":[{"role":"user","content":${'['.repeat(30_000)}${']'.repeat(30_000)}}]}`;
      const r = await post('/v1/chat/completions', body);
      expect(r.status, r.text.slice(0, 300)).toBe(400);
      expect(r.body.error.code).toBe('invalid_request_error');
      expect(r.body.error.param).toMatch(/^messages\[0\]\.content(\[0\])+$/);
      const admin = await post('/admin/v1/orgs', `{"name":${'['.repeat(20_000)}${']'.repeat(20_000)}}`, {}, t.adminToken);
      expect(admin.status, admin.text.slice(0, 300)).toBe(400);
      expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
    });
  });

  describe('malformed percent-encoding in the path', () => {
    for (const path of ['/v1/models/%ff', '/v1/%E0%A4%A', '/v1/models/%c0%ae%c0%ae', '/admin/v1/keys/%ff', '/admin/v1/nodes/%E0%A4%A/revoke', '/admin/v1/enrollments/%ff/approve', '/v1/nodes/mirror/%E0%A4%A']) {
      it(`400 for ${path}`, async () => {
        const r = await rawRequest(t.url, { path, headers: { authorization: `Bearer ${path.startsWith('/admin') ? t.adminToken : secret}` } });
        expect(r.status, r.text).toBe(400);
        expect(r.body).toEqual(errorShape('invalid_request_error', 'path'));
        expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      });
    }
  });

  describe('NUL characters in strings bound for PostgreSQL', () => {
    it('400 with param for admin bodies, and nothing stored', async () => {
      const key = await (await fetch(`${t.url}/admin/v1/keys`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminToken}` },
        body: JSON.stringify({ org_id: orgId, name: 'a key' }),
      })).json() as { id: string };
      const cases: [string, string, unknown, string][] = [
        ['POST', '/admin/v1/orgs', { name: 'evil\u0000org' }, 'name'],
        ['POST', '/admin/v1/keys', { org_id: orgId, name: 'k\u0000' }, 'name'],
        ['PATCH', `/admin/v1/keys/${key.id}`, { name: '\u0000' }, 'name'],
        ['POST', '/admin/v1/tokens', { name: 'tok\u0000en', role: 'auditor' }, 'name'],
      ];
      for (const [method, path, body, param] of cases) {
        const r = await admin(method, path, body);
        expect(r.status, `${method} ${path}: ${r.text}`).toBe(400);
        expect(r.body).toEqual(errorShape('invalid_request_error', param));
        expect(r.body.error.message).toMatch(/NUL/);
      }
      const { rows } = await t.hub.deps.pool.query(`select name from orgs where name like 'evil%'`);
      expect(rows).toEqual([]);
      const keyRow = await t.hub.deps.pool.query(`select name from api_keys where id = $1`, [key.id]);
      expect(keyRow.rows).toEqual([{ name: 'a key' }]);
    });

    it('400 with param for an enrollment inventory or name carrying NUL, and no enrollment stored', async () => {
      const before = (await t.hub.deps.pool.query('select count(*)::int as n from enrollments')).rows[0].n;
      const cases: [unknown, string][] = [
        [{ name: 'node-1', inventory: { cpu: 'x\u0000y' } }, 'inventory.cpu'],
        [{ name: 'node-1', inventory: { gpus: [{ model: '\u0000' }] } }, 'inventory.gpus[0].model'],
        [{ name: 'node-1', inventory: { ['k\u0000']: 1 } }, 'inventory'],
        [{ name: 'node\u0000', inventory: {} }, 'name'],
      ];
      for (const [body, param] of cases) {
        const r = await post('/v1/nodes/enroll', JSON.stringify(body), {}, null);
        expect(r.status, r.text).toBe(400);
        expect(r.body).toEqual(errorShape('invalid_request_error', param));
      }
      expect((await t.hub.deps.pool.query('select count(*)::int as n from enrollments')).rows[0].n).toBe(before);
    });

    it('400 for a NUL in an approval name, the enrollment still pending', async () => {
      const enrolled = await post('/v1/nodes/enroll', JSON.stringify({ name: 'pending-node', inventory: {} }), {}, null);
      expect(enrolled.status).toBe(200);
      const code = enrolled.body.user_code as string;
      const r = await admin('POST', `/admin/v1/enrollments/${code}/approve`, { org_id: orgId, region: 'eu', trust_class: 'verified', name: 'n\u0000' });
      expect(r.status, r.text).toBe(400);
      expect(r.body).toEqual(errorShape('invalid_request_error', 'name'));
      const { rows } = await t.hub.deps.pool.query(`select status from enrollments where user_code = $1`, [code]);
      expect(rows).toEqual([{ status: 'pending' }]);
    });

    it('400 for a NUL in an admin query or path parameter', async () => {
      const q = await admin('GET', '/admin/v1/audit?key_id=%00');
      expect(q.status, q.text).toBe(400);
      expect(q.body).toEqual(errorShape('invalid_request_error', 'key_id'));
      const p = await admin('GET', '/admin/v1/enrollments?status=%00');
      expect(p.status, p.text).toBe(400);
      expect(p.body.error.code).toBe('invalid_request_error');
      const revoke = await admin('POST', '/admin/v1/nodes/%00/revoke');
      expect(revoke.status, revoke.text).toBeGreaterThanOrEqual(400);
      expect(revoke.status).toBeLessThan(500);
      expect(revoke.body.error).toBeDefined();
    });
  });

  describe('paths outside the APIs', () => {
    for (const path of ['//admin/v1/orgs', '/install/%2e%2e/%2e%2e/etc/passwd', '/install/..%2f..%2fetc%2fpasswd', '/nothing-here', '/v2/chat/completions', '/admin/v2/orgs', '/%ff']) {
      it(`answers ${path} with the JSON error shape, not an HTML page`, async () => {
        const r = await rawRequest(t.url, { path, headers: { authorization: `Bearer ${t.adminToken}` } });
        expect(r.status, r.text).toBeGreaterThanOrEqual(400);
        expect(r.status).toBeLessThan(500);
        expect(r.headers.get('content-type')).toMatch(/^application\/json/);
        expect(r.body).toEqual(r.status === 404 ? errorShape('not_found', null) : errorShape('invalid_request_error', 'path'));
        expect(r.text).not.toMatch(/root:|<html|<pre>/i);
      });
    }
    it('answers an unknown method on a known path in the JSON shape', async () => {
      const r = await rawRequest(t.url, { method: 'DELETE', path: '/install.sh' });
      expect(r.status).toBe(404);
      expect(r.body).toEqual(errorShape('not_found', null));
    });
  });
});
