import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { fixtures, waitFor } from '../../test/support/fixtures.ts';
import { startTestHub, type TestHub } from '../../test/support/testHub.ts';
import { client, type Client } from '../../test/support/adminTestClient.ts';
import { startHub, type RunningHub } from '../hub.ts';
import { createLogger } from '@porten/shared/log';
import { parseHubMessage, PROTOCOL_VERSION, TUNNEL_PATH, type AssignmentMessage, type HubMessage } from '@porten/shared/protocol';

/** A node at the protocol level that keeps every valid hub frame it receives, heartbeating so the hub keeps it. */
async function connectNode(hubUrl: string, credential: string) {
  const frames: HubMessage[] = [];
  const ws = new WebSocket(`${hubUrl.replace(/^http/, 'ws')}${TUNNEL_PATH}`, { headers: { authorization: `Bearer ${credential}` } });
  ws.on('message', (data) => {
    const m = parseHubMessage(data.toString());
    if (!('invalid' in m)) frames.push(m);
  });
  await once(ws, 'open');
  const capacity = { vram_total_mb: 1000, vram_free_mb: 1000, max_concurrency: 1 };
  ws.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, agent_version: 'test', engine: { kind: 'openai', capabilities: ['chat'] }, capacity, loaded_models: [] }));
  const beat = setInterval(() => ws.send(JSON.stringify({ type: 'heartbeat', capacity, loaded_models: [], in_flight: 0, queue_depth: 0 })), 100);
  await waitFor(() => frames.some((f) => f.type === 'welcome'), 'welcome');
  return {
    assignments: () => frames.filter((f): f is AssignmentMessage => f.type === 'assignment'),
    close() {
      clearInterval(beat);
      ws.close();
    },
  };
}

/**
 * Region and trust freshness: an operator's PATCH reaches the node's tunnel as an `assignment`
 * frame on whichever replica holds it — two real replicas sharing one PostgreSQL database and one
 * Redis (the event bus), the change made through replica A's admin API.
 */
describe('assignment frames after an operator changes a node (two replicas)', () => {
  let a: TestHub;
  let b: RunningHub;
  let adminA: Client;
  let onB: Awaited<ReturnType<typeof connectNode>>;
  let onA: Awaited<ReturnType<typeof connectNode>>;
  let idOnB: string;
  let idOnA: string;

  beforeAll(async () => {
    a = await startTestHub();
    b = await startHub({ ...a.config, port: 0, replicaId: `${a.config.replicaId}-b` }, createLogger('error'));
    adminA = client(a.url, a.adminToken);
    const f = fixtures(a);
    const org = await f.org('clinic');
    const n1 = await f.approvedNode(org.id, 'eu', 'trusted', 'gpu-b');
    const n2 = await f.approvedNode(org.id, 'eu', 'verified', 'gpu-a');
    idOnB = n1.node.id;
    idOnA = n2.node.id;
    onB = await connectNode(b.url, n1.credential);
    onA = await connectNode(a.url, n2.credential);
  });
  afterAll(async () => {
    onB?.close();
    onA?.close();
    await b?.close();
    await a?.close();
  });

  it('a PATCH on replica A is pushed to the node connected to replica B, and only to that node', async () => {
    expect(b.registry.get(idOnB)).toBeDefined();
    const r = await adminA.patch(`/nodes/${idOnB}`, { region: 'eu-central', trust_class: 'confidential', name: 'rack-7' });
    expect(r.status).toBe(200);
    await waitFor(() => onB.assignments().length > 0, 'the assignment on the node behind replica B');
    expect(onB.assignments()).toEqual([{ type: 'assignment', name: 'rack-7', region: 'eu-central', trust_class: 'confidential' }]);
    expect(onA.assignments()).toEqual([]);

    expect((await adminA.patch(`/nodes/${idOnA}`, { region: 'eu-west' })).status).toBe(200);
    await waitFor(() => onA.assignments().length > 0, 'the assignment on the node behind replica A itself');
    expect(onA.assignments()).toEqual([{ type: 'assignment', name: 'gpu-a', region: 'eu-west', trust_class: 'verified' }]);
  });

  it('changes in quick succession: the last frame the node gets is the latest record', async () => {
    const before = onB.assignments().length;
    await Promise.all(['eu-1', 'eu-2', 'eu-3'].map((region, i) => new Promise((r) => setTimeout(r, i * 5)).then(() => adminA.patch(`/nodes/${idOnB}`, { region }))));
    const stored = (await adminA.get(`/nodes/${idOnB}`)).body.region;
    await waitFor(() => onB.assignments().length > before && onB.assignments().at(-1)!.region === stored, `the node told region ${stored}`);
    // Still the same tunnel: nothing reconnected.
    expect(b.registry.get(idOnB)?.closed).toBe(false);
  });
});
