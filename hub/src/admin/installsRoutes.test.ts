import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../test/support/testHub.ts';
import { client, expectError, expectSchema, roleTokens, type Client } from '../../test/support/adminTestClient.ts';

const record = {
  version: '0.1.0',
  revision: 'abc1234',
  kind: 'release',
  bundle_sha256: 'a'.repeat(64),
  signer_key_id: '7d15db41b7cbcb06',
  verification: { result: 'verified', files: 12, signer_key_id: '7d15db41b7cbcb06' },
  images: [{ name: 'hub', id: `sha256:${'b'.repeat(64)}` }],
  models: [{ id: 'demo-chat', sha256: 'c'.repeat(64) }],
  started_at: '2026-11-24T10:00:00.000Z',
  finished_at: '2026-11-24T10:03:00.000Z',
};

describe('install records (real hub)', () => {
  let hub: TestHub;
  let api: Client;
  beforeAll(async () => {
    hub = await startTestHub();
    api = client(hub.url, hub.adminToken);
  });
  afterAll(async () => {
    await hub?.close();
  });

  it('records an install and shows it to auditors, who cannot add one', async () => {
    const r = await api.post('/installs', record);
    expect(r.status).toBe(201);
    expectSchema('InstallRecord', r.body);
    expect(r.body).toMatchObject({ ...record, recorded_by: expect.any(String) });
    const tokens = await roleTokens(api);
    const auditor = client(hub.url, tokens.auditor.token);
    const list = await auditor.get('/installs');
    expect(list.status).toBe(200);
    expect(list.body.data[0]).toEqual(r.body);
    expectError(await auditor.post('/installs', record), 403, 'insufficient_role');
  });

  it('records a model-only install (no images, no revision)', async () => {
    const r = await api.post('/installs', { ...record, kind: 'models', version: 'models', revision: '', images: [] });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ kind: 'models', revision: '', images: [] });
  });

  it('400 naming the field for a bad record', async () => {
    expectError(await api.post('/installs', { ...record, bundle_sha256: 'nope' }), 400, 'invalid_request_error', 'bundle_sha256');
    expectError(await api.post('/installs', { ...record, kind: 'other' }), 400, 'invalid_request_error', 'kind');
    expectError(await api.post('/installs', { ...record, finished_at: 'yesterday' }), 400, 'invalid_request_error', 'finished_at');
  });
});
