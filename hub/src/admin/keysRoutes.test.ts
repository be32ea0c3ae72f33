import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../test/support/testHub.ts';
import type { HubEvent } from '../events/index.ts';
import { client, expectError, expectSchema, type Client } from '../../test/support/adminTestClient.ts';

describe('API keys (real hub, real PostgreSQL)', () => {
  let hub: TestHub;
  let api: Client;
  let orgId: string;
  let otherOrgId: string;
  const events: HubEvent[] = [];

  beforeAll(async () => {
    hub = await startTestHub();
    api = client(hub.url, hub.adminToken);
    orgId = (await api.post('/orgs', { name: 'Ministry' })).body.id;
    otherOrgId = (await api.post('/orgs', { name: 'Hospital' })).body.id;
    hub.hub.deps.events.on((e) => events.push(e));
  });
  afterAll(async () => {
    await hub?.close();
  });

  const valid = () => ({ org_id: orgId, name: 'tax-app', fleet: 'own', regions: ['eu-west', 'eu-central'], min_trust: 'trusted', models: ['llama-3.1-8b'] });

  it('creates a key: the secret is returned once, the database keeps only its sha256', async () => {
    const r = await api.post('/keys', valid());
    expect(r.status).toBe(201);
    expectSchema('ApiKeyCreated', r.body);
    expect(r.body).toMatchObject({ org_id: orgId, name: 'tax-app', fleet: 'own', regions: ['eu-west', 'eu-central'], min_trust: 'trusted', models: ['llama-3.1-8b'], revoked_at: null });
    const secret: string = r.body.key;
    expect(secret).toMatch(/^sk-porten-[A-Za-z0-9_-]{32}$/);
    expect(events).toContainEqual({ type: 'key_changed', key_id: r.body.id });

    const one = await api.get(`/keys/${r.body.id}`);
    expect(one.status).toBe(200);
    expect(one.body).not.toHaveProperty('key');
    expectSchema('ApiKey', one.body);
    const list = await api.get('/keys');
    expect(JSON.stringify(list.body)).not.toContain(secret);
    expect(JSON.stringify(list.body)).not.toContain(secret.slice(14));

    const { rows } = await hub.hub.deps.pool.query(`select encode(secret_hash, 'hex') as h, row_to_json(api_keys)::text as row from api_keys where id = $1`, [r.body.id]);
    expect(rows[0].h).toBe(createHash('sha256').update(secret).digest('hex'));
    expect(rows[0].row).not.toContain(secret.slice(14));
  });

  it('defaults an omitted policy to fleet "own" and no other constraint', async () => {
    const r = await api.post('/keys', { org_id: orgId, name: 'minimal' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ fleet: 'own', regions: null, min_trust: null, models: null });
  });

  const invalid: [string, Record<string, unknown> | unknown[], string][] = [
    ['missing org_id', { name: 'x' }, 'org_id'],
    ['org_id not an id', { org_id: 'ministry', name: 'x' }, 'org_id'],
    ['org_id of no organization', { org_id: '00000000-0000-4000-8000-000000000000', name: 'x' }, 'org_id'],
    ['missing name', { org_id: 'ORG' }, 'name'],
    ['empty name', { org_id: 'ORG', name: '' }, 'name'],
    ['unknown fleet', { org_id: 'ORG', name: 'x', fleet: 'mine' }, 'fleet'],
    ['empty regions', { org_id: 'ORG', name: 'x', regions: [] }, 'regions'],
    ['regions not an array', { org_id: 'ORG', name: 'x', regions: 'eu' }, 'regions'],
    ['region not a slug', { org_id: 'ORG', name: 'x', regions: ['eu', 'EU West'] }, 'regions[1]'],
    ['repeated region', { org_id: 'ORG', name: 'x', regions: ['eu', 'eu'] }, 'regions[1]'],
    ['unknown trust class', { org_id: 'ORG', name: 'x', min_trust: 'gold' }, 'min_trust'],
    ['empty models', { org_id: 'ORG', name: 'x', models: [] }, 'models'],
    ['model id not a string', { org_id: 'ORG', name: 'x', models: [42] }, 'models[0]'],
    ['unknown field', { org_id: 'ORG', name: 'x', secret: 'mine' }, 'secret'],
    ['body is an array', [], 'body'],
  ];
  for (const [why, body, param] of invalid) {
    it(`400 invalid_request_error with param ${param}: ${why}`, async () => {
      const withOrg = Array.isArray(body) ? body : Object.fromEntries(Object.entries(body).map(([k, v]) => [k, v === 'ORG' ? orgId : v]));
      const before = (await hub.hub.deps.pool.query('select count(*)::int as n from api_keys')).rows[0].n;
      expectError(await api.post('/keys', withOrg), 400, 'invalid_request_error', param);
      expect((await hub.hub.deps.pool.query('select count(*)::int as n from api_keys')).rows[0].n).toBe(before);
    });
  }

  it('filters by org_id and rejects a malformed filter', async () => {
    await api.post('/keys', { org_id: otherOrgId, name: 'records' });
    const r = await api.get(`/keys?org_id=${otherOrgId}`);
    expect(r.body.data.map((k: { name: string }) => k.name)).toEqual(['records']);
    expectError(await api.get('/keys?org_id=hospital'), 400, 'invalid_request_error', 'org_id');
  });

  it('PATCH changes policy fields and name, publishes key_changed, and refuses other fields', async () => {
    const id = (await api.post('/keys', valid())).body.id;
    events.length = 0;
    const r = await api.patch(`/keys/${id}`, { name: 'tax-app-2', regions: null, min_trust: 'confidential', fleet: 'any' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: 'tax-app-2', regions: null, min_trust: 'confidential', fleet: 'any', models: ['llama-3.1-8b'], org_id: orgId });
    expect(events).toEqual([{ type: 'key_changed', key_id: id }]);
    expectError(await api.patch(`/keys/${id}`, { org_id: otherOrgId }), 400, 'invalid_request_error', 'org_id');
    expectError(await api.patch(`/keys/${id}`, { key: 'sk-porten-x' }), 400, 'invalid_request_error', 'key');
    expectError(await api.patch(`/keys/${id}`, {}), 400, 'invalid_request_error', 'body');
    expectError(await api.patch(`/keys/${id}`, { regions: [] }), 400, 'invalid_request_error', 'regions');
    expectError(await api.patch('/keys/00000000-0000-4000-8000-000000000000', { name: 'x' }), 404, 'not_found');
    expectError(await api.get('/keys/not-a-uuid'), 404, 'not_found');
  });

  it('DELETE revokes (idempotently), publishes key_changed; a revoked key cannot be patched', async () => {
    const id = (await api.post('/keys', valid())).body.id;
    events.length = 0;
    const r = await api.delete(`/keys/${id}`);
    expect(r.status).toBe(200);
    expect(r.body.revoked_at).toEqual(expect.any(String));
    expect(events).toEqual([{ type: 'key_changed', key_id: id }]);
    expect((await api.delete(`/keys/${id}`)).body.revoked_at).toBe(r.body.revoked_at);
    expectError(await api.patch(`/keys/${id}`, { name: 'back' }), 409, 'conflict');
    expectError(await api.delete('/keys/00000000-0000-4000-8000-000000000000'), 404, 'not_found');
  });
});
