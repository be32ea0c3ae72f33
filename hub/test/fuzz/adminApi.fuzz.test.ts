import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminRoutes } from '../../src/admin/adminRouter.ts';
import { fixtures } from '../support/fixtures.ts';
import { rawRequest } from '../support/httpClient.ts';
import { startTestHub, type TestHub } from '../support/testHub.ts';
import { HEADER_VALUE, expectWellFormedRefusal } from './fuzzChecks.ts';
import { fuzzParams, fuzzTimeoutMs } from './fuzzSettings.ts';
import { bodyText, hostileJson, hostileString, mutated } from './hostileValues.ts';

/** Every table an admin or enrollment request can write; a refusal must leave each exactly as it was. */
const STATE_TABLES = ['orgs', 'admin_tokens', 'api_keys', 'nodes', 'enrollments', 'models', 'install_records'];

/**
 * Property-based tests over the admin API (every route the router registers, with hostile path
 * parameters and bodies near valid ones) and the unauthenticated enrollment endpoints: no 5xx, the
 * OpenAI error shape, and a refusal changes no row of any state table.
 */
describe('fuzz: the admin API and node enrollment', { timeout: fuzzTimeoutMs() }, () => {
  let t: TestHub;
  let ids: Record<string, string>;

  beforeAll(async () => {
    t = await startTestHub({});
    const f = fixtures(t);
    const org = (await f.org('fuzz-admin-org')).id;
    const key = await f.key(org);
    await f.model('m1');
    const { node } = await f.approvedNode(org, 'eu', 'trusted');
    const enrolled = await rawRequest(t.url, { method: 'POST', path: '/v1/nodes/enroll', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'fuzz-node', inventory: { cpu: 'x' } }) });
    ids = { org_id: org, id: key.id, node_id: node.id, user_code: String(enrolled.body.user_code) };
  });
  afterAll(async () => {
    await t.close();
  });

  /** A digest of every state table's rows: equal before and after means nothing was written. */
  const stateDigest = async (): Promise<string> => {
    const parts = await Promise.all(STATE_TABLES.map(async (table) => (await t.hub.deps.pool.query(`select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as d from ${table} x`)).rows[0].d as string));
    return parts.join(',');
  };

  /** Valid bodies per route (method path), mutated by the fuzzer; routes without one get hostile JSON. */
  const validBodies = (): Record<string, Record<string, unknown>> => ({
    'post /orgs': { name: 'an org' },
    'post /keys': { org_id: ids.org_id, name: 'k', fleet: 'own', regions: ['eu'], min_trust: 'verified', models: null },
    'patch /keys/:id': { name: 'renamed', regions: null },
    'post /enrollments/:user_code/approve': { org_id: ids.org_id, region: 'eu', trust_class: 'verified', name: 'n' },
    'patch /nodes/:id': { region: 'eu', trust_class: 'trusted', name: 'n' },
    'post /models': { id: 'fuzz-model', format: 'gguf', capabilities: ['chat'], memory_mb: 10, context_length: 2048 },
    'post /tokens': { name: 'tok', role: 'auditor' },
    'post /installs': { version: '0.1.0', images: [], outcome: 'ok' },
  });

  it('every admin route: hostile path parameters, queries and bodies never reach a 5xx, and refusals write nothing', async () => {
    const routes = adminRoutes(t.hub.deps).filter((r) => r.method !== 'put'); // weight uploads: binary, own tests
    const bodies = validBodies();
    const param = fc.oneof(
      fc.constantFrom('id', 'node_id', 'user_code').map((k) => ids[k]!),
      hostileString.map((s) => encodeURIComponent(s.slice(0, 60).toWellFormed())),
      fc.constantFrom('%00', '%ff', '%E0%A4%A', '00000000-0000-0000-0000-000000000000', 'ABCD-EFGH', '..', '%2e%2e'),
    );
    const routeAndBody = fc.constantFrom(...routes).chain((route) => {
      const valid = bodies[`${route.method} ${route.path}`];
      return fc.record({ route: fc.constant(route), body: fc.option(bodyText(valid ? mutated(valid) : hostileJson), { nil: undefined }) });
    });
    const query = fc.dictionary(fc.constantFrom('status', 'key_id', 'node_id', 'limit', 'since', 'until', 'after', 'x'), hostileString, { maxKeys: 3 });
    await fc.assert(
      fc.asyncProperty(routeAndBody, param, query, async ({ route, body }, p, q) => {
        const path = `/admin/v1${route.path.replace(/:[a-z_]+/g, p)}`;
        const qs = new URLSearchParams(Object.entries(q).map(([k, v]): [string, string] => [k, v.toWellFormed()])).toString();
        const before = await stateDigest();
        const r = await rawRequest(t.url, {
          method: route.method.toUpperCase(),
          path: qs ? `${path}?${qs}` : path,
          headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body }),
        });
        const what = `${route.method} ${path}?${qs} ${body?.slice(0, 200) ?? ''}`;
        expectWellFormedRefusal(r, what);
        if (r.status >= 400) expect(await stateDigest(), `${what}: a refusal wrote to the database`).toBe(before);
      }),
      fuzzParams(3),
    );
  });

  it('admin authentication: any Authorization header but a valid token is 401 and reads nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.stringMatching(HEADER_VALUE), fc.constantFrom('/orgs', '/keys', '/audit/export', '/nodes'), async (authorization, path) => {
        fc.pre(!authorization.includes(t.adminToken));
        const r = await rawRequest(t.url, { path: `/admin/v1${path}`, headers: { authorization } });
        expect(r.status, authorization).toBe(401);
        expect(r.body.error.code).toBe('invalid_admin_token');
      }),
      fuzzParams(),
    );
  });

  it('enrollment: hostile bodies never reach a 5xx, and a refused one stores no enrollment', async () => {
    const valid = { name: 'node-a', inventory: { cpu: 'x86_64', memory_mb: 2048, gpus: [] } };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/v1/nodes/enroll', '/v1/nodes/enroll/poll'), bodyText(fc.oneof(mutated(valid), mutated({ poll_token: 'abc' }))), async (path, text) => {
        const before = await stateDigest();
        const r = await rawRequest(t.url, { method: 'POST', path, headers: { 'content-type': 'application/json' }, body: text });
        const what = `${path} ${text.slice(0, 200)}`;
        // The per-address enrollment limit answers 429, itself a well-formed refusal.
        expectWellFormedRefusal(r, what);
        if (r.status >= 400) expect(await stateDigest(), `${what}: a refusal wrote to the database`).toBe(before);
      }),
      fuzzParams(),
    );
  });

  it('is still ready after the fuzzing', async () => {
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
  });
});
