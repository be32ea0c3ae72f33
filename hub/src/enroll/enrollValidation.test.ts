import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../test/support/testHub.ts';
import { client, enrollmentClient, expectError, type Client } from '../../test/support/adminTestClient.ts';
import { MAX_INVENTORY_BYTES } from './enrollBodies.ts';

describe('enrollment endpoints reject bad input (real hub)', () => {
  let hub: TestHub;
  let agent: Client;
  beforeAll(async () => {
    hub = await startTestHub();
    agent = enrollmentClient(hub.url);
  });
  afterAll(async () => {
    await hub?.close();
  });

  it('enroll: 400 naming the field; nothing stored', async () => {
    const cases: [unknown, string][] = [
      [{ inventory: {} }, 'name'],
      [{ name: 'n', inventory: [] }, 'inventory'],
      [{ name: 'n', inventory: { blob: 'x'.repeat(MAX_INVENTORY_BYTES) } }, 'inventory'],
      [{ name: 'bad\nname', inventory: {} }, 'name'],
      [{ name: 'n', inventory: {}, region: 'eu' }, 'region'],
    ];
    for (const [body, param] of cases) expectError(await agent.post('/v1/nodes/enroll', body), 400, 'invalid_request_error', param);
    expectError(await agent.send('POST', '/v1/nodes/enroll', { rawBody: '{"name":' }), 400, 'invalid_request_error');
    expect((await hub.hub.deps.pool.query('select count(*)::int as n from enrollments')).rows[0].n).toBe(0);
  });

  it('poll: 400 without a token, 401 for a token that was never issued', async () => {
    expectError(await agent.post('/v1/nodes/enroll/poll', {}), 400, 'invalid_request_error', 'poll_token');
    expectError(await agent.post('/v1/nodes/enroll/poll', { poll_token: 'porten-poll-made-up' }), 401, 'invalid_node_credential');
    expectError(await agent.send('POST', '/v1/nodes/enroll/poll', { rawBody: 'nope' }), 400, 'invalid_request_error');
  });
});
