import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../test/support/testHub.ts';
import { client, expectError, expectSchema, type Client } from '../../test/support/adminTestClient.ts';

describe('admin tokens (real hub)', () => {
  let hub: TestHub;
  let api: Client;
  beforeAll(async () => {
    hub = await startTestHub();
    api = client(hub.url, hub.adminToken);
  });
  afterAll(async () => {
    await hub?.close();
  });

  it('creates a token whose secret is shown once and stored as its sha256; revoking it takes effect at once', async () => {
    const r = await api.post('/tokens', { name: 'night-shift', role: 'operator' });
    expect(r.status).toBe(201);
    expectSchema('AdminTokenCreated', r.body);
    const secret: string = r.body.token;
    expect(secret).toMatch(/^porten-admin-/);
    const { rows } = await hub.hub.deps.pool.query(`select encode(secret_hash, 'hex') as h from admin_tokens where id = $1`, [r.body.id]);
    expect(rows[0].h).toBe(createHash('sha256').update(secret).digest('hex'));
    const list = await api.get('/tokens');
    expect(JSON.stringify(list.body)).not.toContain(secret);
    list.body.data.forEach((t: unknown) => expectSchema('AdminToken', t));

    const operator = client(hub.url, secret);
    expect((await operator.get('/orgs')).status).toBe(200);
    const revoked = await api.delete(`/tokens/${r.body.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).toEqual(expect.any(String));
    expectError(await operator.get('/orgs'), 401, 'invalid_admin_token');
  });

  it('validates bodies and ids', async () => {
    expectError(await api.post('/tokens', { name: 'x', role: 'root' }), 400, 'invalid_request_error', 'role');
    expectError(await api.post('/tokens', { role: 'admin' }), 400, 'invalid_request_error', 'name');
    expectError(await api.post('/tokens', { name: 'x', role: 'admin', token: 'chosen' }), 400, 'invalid_request_error', 'token');
    expectError(await api.delete('/tokens/00000000-0000-4000-8000-000000000000'), 404, 'not_found');
  });
});
