import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../test/support/testHub.ts';
import type { HubEvent } from '../events/index.ts';
import { nodes, orgs } from '../store/index.ts';
import { client, enrolledNode, expectError, expectSchema, type Client } from '../../test/support/adminTestClient.ts';

describe('nodes (real hub, real PostgreSQL + Redis)', () => {
  let hub: TestHub;
  let api: Client;
  let orgId: string;
  const events: HubEvent[] = [];

  beforeAll(async () => {
    hub = await startTestHub();
    api = client(hub.url, hub.adminToken);
    orgId = (await api.post('/orgs', { name: 'Research' })).body.id;
    hub.hub.deps.events.on((e) => events.push(e));
  });
  afterAll(async () => {
    await hub?.close();
  });

  it('lists nodes with the operator\'s placement and live presence from Redis', async () => {
    const { node_id } = await enrolledNode(hub.url, api, { org_id: orgId, region: 'eu-west', trust_class: 'trusted' });
    const offline = await api.get(`/nodes/${node_id}`);
    expect(offline.body).toMatchObject({ id: node_id, org_id: orgId, region: 'eu-west', trust_class: 'trusted', status: 'approved', online: false, loaded_models: [] });
    expectSchema('Node', offline.body);

    const now = Date.now();
    await hub.hub.deps.presence.put({
      node_id,
      replica: 'test',
      agent_version: '0.0.0',
      engine: 'builtin',
      capabilities: ['chat'],
      capacity: { vram_total_mb: 8000, vram_free_mb: 4000, max_concurrency: 2 },
      loaded_models: ['tiny'],
      in_flight: 0,
      queue_depth: 0,
      connected_at: now,
      heartbeat_at: now,
    });
    const list = await api.get('/nodes');
    const listed = list.body.data.find((n: { id: string }) => n.id === node_id);
    expect(listed).toMatchObject({ online: true, loaded_models: ['tiny'], last_heartbeat_at: new Date(now).toISOString() });
    list.body.data.forEach((n: unknown) => expectSchema('Node', n));
  });

  it('PATCH changes region, trust class and name only, and publishes node_changed', async () => {
    const { node_id } = await enrolledNode(hub.url, api, { org_id: orgId, region: 'eu-west', trust_class: 'community' });
    events.length = 0;
    const r = await api.patch(`/nodes/${node_id}`, { region: 'eu-central', trust_class: 'confidential', name: 'rack-7' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ region: 'eu-central', trust_class: 'confidential', name: 'rack-7', org_id: orgId });
    expect(events).toEqual([{ type: 'node_changed', node_id }]);
    expect(await nodes.getNode(hub.hub.deps.pool, node_id)).toMatchObject({ region: 'eu-central', trust_class: 'confidential' });

    const before = await nodes.getNode(hub.hub.deps.pool, node_id);
    for (const [body, param] of [
      [{ status: 'revoked' }, 'status'],
      [{ status: 'approved', region: 'eu' }, 'status'],
      [{ org_id: orgId }, 'org_id'],
      [{ inventory: {} }, 'inventory'],
      [{ region: 'EU Central' }, 'region'],
      [{ trust_class: 'top' }, 'trust_class'],
      [{}, 'body'],
    ] as const) {
      expectError(await api.patch(`/nodes/${node_id}`, body), 400, 'invalid_request_error', param);
    }
    expect(await nodes.getNode(hub.hub.deps.pool, node_id)).toEqual(before);
    expectError(await api.patch('/nodes/00000000-0000-4000-8000-000000000000', { region: 'eu' }), 404, 'not_found');
  });

  it('revoke voids the credential, publishes node_revoked, and leaves the node listed as revoked', async () => {
    const { node_id, credential } = await enrolledNode(hub.url, api, { org_id: orgId, region: 'eu-west', trust_class: 'verified' });
    expect(await nodes.findApprovedNodeByCredential(hub.hub.deps.pool, credential)).toMatchObject({ id: node_id });
    const revokedEvents: string[] = [];
    const off = hub.hub.deps.events.on((e) => {
      if (e.type === 'node_revoked') revokedEvents.push(e.node_id);
    });
    try {
      const r = await api.post(`/nodes/${node_id}/revoke`);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ id: node_id, status: 'revoked', revoked_at: expect.any(String) });
      expect(revokedEvents).toEqual([node_id]);
    } finally {
      off();
    }
    expect(await nodes.findApprovedNodeByCredential(hub.hub.deps.pool, credential)).toBeUndefined();
    expect((await api.get(`/nodes/${node_id}`)).body.status).toBe('revoked');
    expectError(await api.patch(`/nodes/${node_id}`, { region: 'eu' }), 409, 'conflict');
    expectError(await api.post(`/nodes/${node_id}/revoke`, { reason: 'x' }), 400, 'invalid_request_error', 'reason');
    expectError(await api.post('/nodes/00000000-0000-4000-8000-000000000000/revoke'), 404, 'not_found');
  });
});

describe('nodes while Redis is unreachable (real hub, real PostgreSQL)', () => {
  let hub: TestHub;
  beforeAll(async () => {
    // Port 9 (discard) on loopback: nothing listens, so every Redis command fails at once.
    hub = await startTestHub({ HUB_REDIS_URL: 'redis://127.0.0.1:9' });
  });
  afterAll(async () => {
    await hub?.close();
  });

  it('still lists nodes, with online and loaded_models null (unknown, not guessed)', async () => {
    const org = await orgs.createOrg(hub.hub.deps.pool, 'Offline Org');
    const node = await nodes.insertNode(hub.hub.deps.pool, { org_id: org.id, name: 'n1', region: 'eu', trust_class: 'trusted', inventory: {}, approved_by: 'test' });
    const api = client(hub.url, hub.adminToken);
    const r = await api.get('/nodes');
    expect(r.status).toBe(200);
    expect(r.body.data).toEqual([expect.objectContaining({ id: node.id, region: 'eu', online: null, loaded_models: null })]);
    expect((await api.get(`/nodes/${node.id}`)).body).toMatchObject({ online: null, loaded_models: null });
  });
});
