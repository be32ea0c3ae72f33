import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestHub, type TestHub } from '../../test/support/testHub.ts';
import { client, expectError, type Client } from '../../test/support/adminTestClient.ts';

describe('admin router: bodies and unknown routes (real hub)', () => {
  let hub: TestHub;
  let api: Client;
  beforeAll(async () => {
    hub = await startTestHub();
    api = client(hub.url, hub.adminToken);
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

describe('admin write log (real hub, info logging)', () => {
  let hub: TestHub;
  let api: Client;
  beforeAll(async () => {
    const quiet = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      hub = await startTestHub({ HUB_LOG_LEVEL: 'info' });
    } finally {
      quiet.mockRestore();
    }
    api = client(hub.url, hub.adminToken);
  });
  afterAll(async () => {
    const quiet = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await hub?.close();
    } finally {
      quiet.mockRestore();
    }
  });

  it('logs every write with the acting token name and the outcome', async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const created = await api.post('/tokens', { name: 'logger-check', role: 'operator' });
      await client(hub.url, created.body.token).post('/orgs', { name: 'Logged Org' });
      await vi.waitFor(() => expect(lines.join('')).toContain('"actor":"logger-check"'));
    } finally {
      spy.mockRestore();
    }
    const writes = lines.flatMap((l) => l.split('\n')).filter((l) => l.includes('"msg":"admin write"')).map((l) => JSON.parse(l));
    expect(writes).toContainEqual(expect.objectContaining({ level: 'info', method: 'POST', path: '/admin/v1/orgs', status: 201, actor: 'logger-check', role: 'operator' }));
    expect(writes).toContainEqual(expect.objectContaining({ method: 'POST', path: '/admin/v1/tokens', status: 201, actor: 'bootstrap', role: 'admin' }));
    expect(lines.join('')).not.toMatch(/porten-admin-[A-Za-z0-9_-]{32}/);
  });
});
