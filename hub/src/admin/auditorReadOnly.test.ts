import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../test/support/testHub.ts';
import { client, enrolledNode, expectError, roleTokens, startEnrollment, type Client } from '../../test/support/adminTestClient.ts';

/** Everything the admin API can change, read straight from PostgreSQL. */
async function snapshot(hub: TestHub) {
  const out: Record<string, unknown[]> = {};
  for (const table of ['orgs', 'api_keys', 'nodes', 'enrollments', 'models', 'admin_tokens']) {
    out[table] = (await hub.hub.deps.pool.query(`select * from ${table} order by created_at, 1`)).rows;
  }
  return out;
}

describe('auditor tokens are read-only (real hub, real PostgreSQL)', () => {
  let hub: TestHub;
  let admin: Client;
  let auditor: Client;
  let ids: { org: string; key: string; node: string; pendingCode: string; token: string };

  beforeAll(async () => {
    hub = await startTestHub();
    admin = client(hub.url, hub.adminToken);
    const tokens = await roleTokens(admin);
    auditor = client(hub.url, tokens.auditor.token);
    const org = (await admin.post('/orgs', { name: 'Agency' })).body;
    const key = (await admin.post('/keys', { org_id: org.id, name: 'app', fleet: 'own', regions: ['eu'], min_trust: 'verified', models: null })).body;
    await admin.post('/models', { id: 'tiny', format: 'external', context_length: 2048, capabilities: ['chat'] });
    const node = await enrolledNode(hub.url, admin, { org_id: org.id, region: 'eu', trust_class: 'trusted' });
    const pending = await startEnrollment(hub.url, 'waiting-box');
    ids = { org: org.id, key: key.id, node: node.node_id, pendingCode: pending.user_code, token: tokens.operator.id };
  });
  afterAll(async () => {
    await hub?.close();
  });

  it('can read every collection and every item (except admin tokens), and the audit log', async () => {
    const reads = ['/orgs', '/keys', `/keys?org_id=${ids.org}`, `/keys/${ids.key}`, '/enrollments', '/enrollments?status=pending', `/enrollments/${ids.pendingCode}`, '/nodes', `/nodes/${ids.node}`, '/models', '/models/tiny'];
    for (const path of [...reads, '/audit', '/audit/export', '/audit/verify']) {
      const r = await auditor.get(path);
      expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(200);
    }
    expectError(await auditor.get('/tokens'), 403, 'insufficient_role');
  });

  it('every write is 403 insufficient_role and the database is unchanged', async () => {
    const before = await snapshot(hub);
    const writes: [string, string, unknown?][] = [
      ['POST', '/orgs', { name: 'Sneaky' }],
      ['POST', '/keys', { org_id: ids.org, name: 'sneaky', fleet: 'any', regions: null, min_trust: null, models: null }],
      ['PATCH', `/keys/${ids.key}`, { regions: null }],
      ['DELETE', `/keys/${ids.key}`],
      ['POST', `/enrollments/${ids.pendingCode}/approve`, { org_id: ids.org, region: 'eu', trust_class: 'confidential' }],
      ['POST', `/enrollments/${ids.pendingCode}/deny`],
      ['PATCH', `/nodes/${ids.node}`, { trust_class: 'confidential' }],
      ['POST', `/nodes/${ids.node}/revoke`],
      ['POST', '/models', { id: 'tiny', format: 'external', context_length: 1, capabilities: ['chat'], enabled: false }],
      ['POST', '/tokens', { name: 'sneaky', role: 'admin' }],
      ['DELETE', `/tokens/${ids.token}`],
    ];
    // The audit log has no write route at all: any other method there is 404, for every role.
    for (const method of ['POST', 'PATCH', 'DELETE']) expectError(await auditor.send(method, '/audit', { rawBody: '{}' }), 404, 'not_found');
    for (const [method, path, body] of writes) {
      const r = await auditor.send(method, path, body === undefined ? {} : { rawBody: JSON.stringify(body) });
      expectError(r, 403, 'insufficient_role');
    }
    expect(await snapshot(hub)).toEqual(before);
  });
});
