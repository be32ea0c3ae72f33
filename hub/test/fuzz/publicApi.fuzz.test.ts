import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures } from '../support/fixtures.ts';
import { rawRequest } from '../support/httpClient.ts';
import { startTestHub, type TestHub } from '../support/testHub.ts';
import type { TestNode } from '../support/testNode.ts';
import { HEADER_VALUE, expectWellFormedRefusal } from './fuzzChecks.ts';
import { fuzzParams, fuzzTimeoutMs } from './fuzzSettings.ts';
import { bodyText, hostileString, mutated } from './hostileValues.ts';

/** Refusals that are not routing decisions: nothing of theirs may reach the audit log or a node. */
const NOT_ROUTED = new Set([400, 401, 404, 413, 415]);

/**
 * Property-based tests over the OpenAI surface: bodies near valid ones, hostile headers and paths.
 * Whatever is sent: no 5xx, the OpenAI error shape, nothing audited or dispatched for a request that
 * was refused before routing, and the hub still ready afterwards with its audit chain intact.
 */
describe('fuzz: the OpenAI-compatible API', { timeout: fuzzTimeoutMs() }, () => {
  let t: TestHub;
  let secret: string;
  let tn: TestNode;

  beforeAll(async () => {
    t = await startTestHub({ HUB_MAX_BODY_BYTES: '262144', HUB_KEY_MAX_CONCURRENCY: '64' });
    const f = fixtures(t);
    const org = (await f.org('fuzz-org')).id;
    await f.model('m1', { capabilities: ['chat', 'completions'] });
    await f.model('m-embed', { capabilities: ['embeddings'] });
    secret = (await f.key(org)).secret;
    ({ tn } = await f.onlineNode(org, 'eu', 'trusted', { loadedModels: ['m1', 'm-embed'], behaviour: () => ({ kind: 'reply', text: 'ok ok' }) }));
  });
  afterAll(async () => {
    await tn.stop();
    await t.close();
  });

  const auditedFor = async (requestId: string | null) =>
    requestId === null ? 0 : Number((await t.hub.deps.pool.query('select count(*)::int as n from audit_records where request_id = $1', [requestId])).rows[0].n);

  const endpoints = [
    { path: '/v1/chat/completions', valid: { model: 'm1', messages: [{ role: 'user', content: 'hi' }], max_tokens: 4, stream: false } },
    { path: '/v1/completions', valid: { model: 'm1', prompt: 'hi', max_tokens: 4, temperature: 0.5 } },
    { path: '/v1/embeddings', valid: { model: 'm-embed', input: ['a', 'b'] } },
  ];

  for (const { path, valid } of endpoints) {
    it(`POST ${path}: mutated bodies and hostile headers never reach a 5xx, and refusals leave nothing behind`, async () => {
      const headers = fc.record(
        {
          'content-type': fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8', 'application/json; charset=latin1', ''),
          'x-request-id': fc.stringMatching(HEADER_VALUE),
          'x-client-request-id': fc.stringMatching(HEADER_VALUE),
          'content-encoding': fc.constantFrom('identity', 'gzip', 'zstd', 'GZIP', 'br', 'deflate, gzip'),
        },
        { requiredKeys: [] },
      );
      await fc.assert(
        fc.asyncProperty(bodyText(mutated(valid)), headers, fc.boolean(), async (text, hdrs, compress) => {
          const encoding = hdrs['content-encoding'];
          // Compressed as declared half of the time; otherwise the body contradicts its header.
          const body = compress && encoding?.toLowerCase() === 'gzip' ? gzipSync(Buffer.from(text)) : Buffer.from(text);
          const dispatchedBefore = tn.requests.length;
          const r = await rawRequest(t.url, { method: 'POST', path, body, headers: { authorization: `Bearer ${secret}`, ...hdrs } });
          const what = `${path} ${JSON.stringify(hdrs)} ${text.slice(0, 200)}`;
          expectWellFormedRefusal(r, what);
          expect(r.headers.get('x-request-id'), what).toMatch(/^req_[A-Za-z0-9_-]{22}$/);
          if (NOT_ROUTED.has(r.status)) {
            expect(tn.requests.length, what).toBe(dispatchedBefore);
            expect(await auditedFor(r.headers.get('x-request-id')), what).toBe(0);
          }
        }),
        fuzzParams(),
      );
    });
  }

  it('any path, method and Authorization header: JSON errors only, never a 5xx', async () => {
    const segment = fc.oneof(
      fc.constantFrom('v1', 'admin', 'models', 'chat', 'completions', 'embeddings', 'nodes', 'mirror', 'install', 'public', 'warming', '..', '.', '', '%2e%2e', '%00', '%ff', '%E0%A4%A', '%c0%ae', '%', '%%', '%2f', 'm1'),
      hostileString.map((s) => encodeURIComponent(s.slice(0, 20).toWellFormed()).replace(/%[0-9A-F]{2}$/, '%')),
    );
    const path = fc.array(segment, { minLength: 0, maxLength: 6 }).map((parts) => `/${parts.join('/')}`);
    const prefixed = fc.oneof(path, path.map((p) => `/v1${p}`), path.map((p) => `/admin/v1${p}`), path.map((p) => `/${p}`), path.map((p) => `${p}?model=${p}`));
    const auth = fc.oneof(fc.constant(`Bearer ${secret}`), fc.constant(`Bearer ${t.adminToken}`), fc.stringMatching(HEADER_VALUE), fc.constant(undefined));
    await fc.assert(
      fc.asyncProperty(prefixed, fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'), auth, async (p, method, authorization) => {
        const r = await rawRequest(t.url, { method, path: p, headers: authorization === undefined ? {} : { authorization }, ...(method === 'POST' ? { body: '{}' } : {}) });
        const what = `${method} ${p} (${authorization?.slice(0, 20)})`;
        expect(r.status, `${what} → ${r.text.slice(0, 200)}`).toBeLessThan(500);
        if (r.status >= 400 && method !== 'HEAD') {
          expectWellFormedRefusal(r, what);
          expect(r.text, what).not.toMatch(/<html|<pre>|root:/i);
        }
      }),
      fuzzParams(2),
    );
  });

  it('is still ready and its audit chain verifies after the fuzzing', async () => {
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
    const verify = await fetch(`${t.url}/admin/v1/audit/verify`, { headers: { authorization: `Bearer ${t.adminToken}` } }).then((r) => r.json());
    expect(verify).toMatchObject({ ok: true, first_bad: null });
  });
});
