import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../test/testHub.ts';
import { client, expectError, type Client } from './adminTestClient.ts';

describe('admin router: bodies and unknown routes (real hub)', () => {
  let hub: TestHub;
  let api: Client;
  beforeAll(async () => {
    hub = await startTestHub({ HUB_LOG_LEVEL: 'error' });
    api = client(`${hub.url}/admin/v1`, hub.adminToken);
  });
  afterAll(async () => {
    await hub?.close();
  });

  it('malformed JSON is 400 invalid_request_error, not 500', async () => {
    const r = await api.send('POST', '/orgs', { rawBody: '{"name": "unterminated' });
    expectError(r, 400, 'invalid_request_error');
    expect(r.body.error.message).toMatch(/not valid JSON/);
    expectError(await api.send('PATCH', '/keys/00000000-0000-4000-8000-000000000000', { rawBody: '{,}' }), 400, 'invalid_request_error');
  });

  it('a body that is not a JSON object is 400 with param "body"', async () => {
    expectError(await api.send('POST', '/orgs', { rawBody: '"just a string"' }), 400, 'invalid_request_error', 'body');
    expectError(await api.send('POST', '/orgs', { rawBody: '[{"name":"a"}]' }), 400, 'invalid_request_error', 'body');
    expectError(await api.send('POST', '/orgs', { rawBody: 'name=a', contentType: 'application/x-www-form-urlencoded' }), 400, 'invalid_request_error', 'body');
    expectError(await api.post('/orgs'), 400, 'invalid_request_error', 'body');
  });

  it('a body over the limit is 413 request_too_large', async () => {
    expectError(await api.post('/orgs', { name: 'x'.repeat(300 * 1024) }), 413, 'request_too_large');
  });

  it('an unknown method on a known path is 404 not_found', async () => {
    expectError(await api.send('PUT', '/orgs', { rawBody: '{}' }), 404, 'not_found');
  });
});
