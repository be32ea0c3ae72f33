import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../test/support/testHub.ts';
import { client, expectError, expectSchema, type Client } from '../../test/support/adminTestClient.ts';

describe('organizations (real hub)', () => {
  let hub: TestHub;
  let api: Client;
  beforeAll(async () => {
    hub = await startTestHub();
    api = client(hub.url, hub.adminToken);
  });
  afterAll(async () => {
    await hub?.close();
  });

  it('creates and lists organizations', async () => {
    const r = await api.post('/orgs', { name: 'City of Ghent' });
    expect(r.status).toBe(201);
    expectSchema('Org', r.body);
    const list = await api.get('/orgs');
    expect(list.body).toEqual({ data: [r.body] });
  });

  it('409 conflict for a duplicate name, 400 naming the field for bad bodies', async () => {
    await api.post('/orgs', { name: 'Twice' });
    expectError(await api.post('/orgs', { name: 'Twice' }), 409, 'conflict', 'name');
    expectError(await api.post('/orgs', {}), 400, 'invalid_request_error', 'name');
    expectError(await api.post('/orgs', { name: 7 }), 400, 'invalid_request_error', 'name');
    expectError(await api.post('/orgs', { name: 'x'.repeat(201) }), 400, 'invalid_request_error', 'name');
    expectError(await api.post('/orgs', { name: 'ok', id: 'mine' }), 400, 'invalid_request_error', 'id');
  });
});
