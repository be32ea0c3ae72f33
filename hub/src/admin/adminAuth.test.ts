import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestHub, type TestHub } from '../../test/support/testHub.ts';
import type { AdminRole } from '../store/index.ts';
import { adminRoutes } from './adminRouter.ts';
import { client, expectError, roleTokens, type Client } from '../../test/support/adminTestClient.ts';
import { ensureBootstrapAdmin } from './bootstrapAdmin.ts';

const ALL: AdminRole[] = ['admin', 'operator', 'auditor'];
const MANAGE: AdminRole[] = ['admin', 'operator'];
const ADMIN: AdminRole[] = ['admin'];

/**
 * Who may call what, written out independently of roles.ts: the test fails if a route is added,
 * removed or re-roled without this table (the contract) changing too.
 */
const EXPECTED: Record<string, AdminRole[]> = {
  'GET /orgs': ALL,
  'POST /orgs': MANAGE,
  'GET /keys': ALL,
  'POST /keys': MANAGE,
  'GET /keys/:id': ALL,
  'PATCH /keys/:id': MANAGE,
  'DELETE /keys/:id': MANAGE,
  'GET /enrollments': ALL,
  'GET /enrollments/:user_code': ALL,
  'POST /enrollments/:user_code/approve': MANAGE,
  'POST /enrollments/:user_code/deny': MANAGE,
  'GET /nodes': ALL,
  'GET /nodes/:id': ALL,
  'PATCH /nodes/:id': MANAGE,
  'POST /nodes/:id/revoke': MANAGE,
  'GET /models': ALL,
  'POST /models': MANAGE,
  'GET /models/:id': ALL,
  'PUT /models/:id/weights': MANAGE,
  'GET /tokens': ADMIN,
  'POST /tokens': ADMIN,
  'DELETE /tokens/:id': ADMIN,
  'GET /audit': ALL,
  'GET /audit/export': ALL,
  'GET /audit/verify': ALL,
  'GET /installs': ALL,
  'POST /installs': MANAGE,
};

/** A concrete URL for a route pattern: ids that exist nowhere, so allowed calls cannot change anything. */
function concrete(path: string): string {
  return path.replace(':id', '00000000-0000-4000-8000-000000000000').replace(':user_code', 'ZZZZ-ZZZZ');
}

const ROUTES = Object.entries(EXPECTED).map(([key, roles]) => {
  const [method, path] = key.split(' ') as [string, string];
  return { key, method, path: concrete(path), roles };
});

function call(c: Client, method: string, path: string, authorization?: string | null) {
  return c.send(method, path, { ...(method === 'GET' || method === 'DELETE' ? {} : { rawBody: '{}' }), ...(authorization !== undefined ? { authorization } : {}) });
}

describe('admin authentication and roles (real hub)', () => {
  let hub: TestHub;
  let api: Client;
  let tokens: Awaited<ReturnType<typeof roleTokens>>;
  let revoked: string;

  beforeAll(async () => {
    hub = await startTestHub();
    api = client(hub.url, hub.adminToken);
    tokens = await roleTokens(api);
    const r = await api.post('/tokens', { name: 'to-revoke', role: 'admin' });
    revoked = r.body.token;
    expect((await api.delete(`/tokens/${r.body.id}`)).status).toBe(200);
  });
  afterAll(async () => {
    await hub?.close();
  });

  it('the route table above is exactly what the router registers', () => {
    const registered = Object.fromEntries(adminRoutes(hub.hub.deps).map((r) => [`${r.method.toUpperCase()} ${r.path}`, [...r.roles].sort()]));
    const expected = Object.fromEntries(Object.entries(EXPECTED).map(([k, v]) => [k, [...v].sort()]));
    expect(registered).toEqual(expected);
  });

  const badCredentials: [string, string | null][] = [
    ['no Authorization header', null],
    ['a non-Bearer scheme', 'Basic YWRtaW46YWRtaW4='],
    ['Bearer without a token', 'Bearer '],
    ['an unknown token', 'Bearer porten-admin-this-token-was-never-issued'],
  ];

  for (const route of ROUTES) {
    it(`${route.key}: 401 invalid_admin_token for missing, malformed, unknown and revoked tokens`, async () => {
      const anon = client(hub.url);
      for (const [why, authorization] of badCredentials) {
        const r = await call(anon, route.method, route.path, authorization);
        expect(r.status, why).toBe(401);
        expectError(r, 401, 'invalid_admin_token', null);
      }
      expectError(await call(anon, route.method, route.path, `Bearer ${revoked}`), 401, 'invalid_admin_token');
    });

    it(`${route.key}: 403 insufficient_role for roles outside ${route.roles.join('/')}; allowed roles get past auth`, async () => {
      for (const role of ALL) {
        const r = await call(client(hub.url, tokens[role].token), route.method, route.path);
        if (route.roles.includes(role)) {
          expect([401, 403], `${role} on ${route.key}: ${JSON.stringify(r.body)}`).not.toContain(r.status);
        } else {
          expectError(r, 403, 'insufficient_role', null);
          for (const allowed of route.roles) expect(r.body.error.message).toContain(allowed);
        }
      }
    });
  }

  it('the configured bootstrap token is an admin', async () => {
    expect((await api.get('/tokens')).status).toBe(200);
  });

  it('GET /tokens never returns secrets or hashes', async () => {
    const r = await api.get('/tokens');
    const text = JSON.stringify(r.body);
    for (const { token } of Object.values(tokens)) expect(text).not.toContain(token);
    expect(text).not.toContain('secret');
    expect(r.body.data[0]).toEqual(expect.objectContaining({ id: expect.any(String), name: expect.any(String), role: expect.any(String) }));
  });

  it('unknown admin paths are 404 not_found once authenticated, 401 before', async () => {
    expectError(await api.get('/nothing-here'), 404, 'not_found');
    expectError(await client(hub.url).get('/nothing-here'), 401, 'invalid_admin_token');
  });
});

describe('first start without HUB_ADMIN_TOKEN (real hub)', () => {
  let hub: TestHub;
  let printed = '';

  beforeAll(async () => {
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed += String(chunk);
      return true;
    });
    try {
      hub = await startTestHub({ HUB_ADMIN_TOKEN: '' });
    } finally {
      spy.mockRestore();
    }
  });
  afterAll(async () => {
    await hub?.close();
  });

  it('generates an admin token, prints it once, stores only its hash, and it works', async () => {
    expect(hub.config.adminToken).toBeUndefined();
    const token = /first start: admin token (porten-admin-\S+)/.exec(printed)?.[1];
    expect(token, printed).toBeDefined();
    const api = client(hub.url, token);
    const list = await api.get('/tokens');
    expect(list.status).toBe(200);
    expect(list.body.data).toEqual([expect.objectContaining({ name: 'bootstrap', role: 'admin', revoked_at: null })]);

    const { rows } = await hub.hub.deps.pool.query(`select encode(secret_hash, 'hex') as h from admin_tokens`);
    const { createHash } = await import('node:crypto');
    expect(rows).toEqual([{ h: createHash('sha256').update(token!).digest('hex') }]);

    // A second start (or another replica) finds the token and prints nothing.
    const again: string[] = [];
    expect(await ensureBootstrapAdmin(hub.hub.deps, (t) => again.push(t))).toBeUndefined();
    expect(again).toEqual([]);
  });

  it('refuses to revoke the last active admin token when HUB_ADMIN_TOKEN is not set', async () => {
    const token = /first start: admin token (porten-admin-\S+)/.exec(printed)![1]!;
    const api = client(hub.url, token);
    const only = (await api.get('/tokens')).body.data[0];
    expectError(await api.delete(`/tokens/${only.id}`), 409, 'conflict');
    const second = await api.post('/tokens', { name: 'second-admin', role: 'admin' });
    expect((await api.delete(`/tokens/${only.id}`)).status).toBe(200);
    expectError(await api.get('/orgs'), 401, 'invalid_admin_token');
    expect((await client(hub.url, second.body.token).get('/orgs')).status).toBe(200);
  });
});
