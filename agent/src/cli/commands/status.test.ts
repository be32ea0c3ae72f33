import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, type Client } from '@porten/hub/testing/adminTestClient';
import { fixtures, waitFor } from '@porten/hub/testing/fixtures';
import { startTestHub, type TestHub } from '@porten/hub/testing/testHub';
import { freePort } from '@porten/testkit/freePort';
import { writeCredentials } from '../../config/index.ts';
import { runAgent, startAgent, type AgentRun } from '../agentProcess.ts';
import { readRunState } from '../runState.ts';

/**
 * `porten status` stays current when an operator re-classifies a running node: the real hub pushes
 * the change down the live tunnel and the real `porten run` process records it, no reconnect. The
 * agent runs the ollama engine with no daemon behind it (a closed port): it connects and is online
 * advertising nothing, which is all this needs.
 */
describe('`porten status` after an operator changes region and trust class (real hub, real agent process)', () => {
  let hub: TestHub;
  let admin: Client;
  let agent: AgentRun | undefined;
  let env: Record<string, string>;
  let nodeId: string;
  let home: string;

  const status = async () => {
    const s = await runAgent(['status', '--json'], env);
    expect(s.code, s.stderr).toBe(0);
    return JSON.parse(s.stdout) as { name: string; region: string; trust_class: string; agent: { connected: boolean; connected_since: string } };
  };

  beforeAll(async () => {
    hub = await startTestHub();
    admin = client(hub.url, hub.adminToken);
    const f = fixtures(hub);
    const org = await f.org('clinic');
    const approved = await f.approvedNode(org.id, 'eu', 'trusted', 'clinic-gpu-01');
    nodeId = approved.node.id;
    home = join(mkdtempSync(join(tmpdir(), 'porten-status-')), 'home');
    writeCredentials(home, { hub_url: hub.url, node_id: nodeId, credential: approved.credential });
    env = {
      PATH: process.env.PATH ?? '',
      PORTEN_HOME: home,
      PORTEN_ENGINE: 'ollama',
      PORTEN_OLLAMA_URL: `http://127.0.0.1:${await freePort()}`,
      PORTEN_OLLAMA_MODELS: 'm1',
      PORTEN_VRAM_BUDGET_MB: '4096',
    };
  });
  afterAll(async () => {
    agent?.kill('SIGKILL');
    await hub?.close();
  });

  it('shows the new region, trust class and name within seconds, on the same tunnel', async () => {
    agent = startAgent(['run'], env, !!process.env.PORTEN_TEST_LOG);
    await waitFor(async () => (await admin.get(`/nodes/${nodeId}`)).body.online === true, 'the agent online on the hub', 15_000);
    const before = await status();
    expect(before).toMatchObject({ name: 'clinic-gpu-01', region: 'eu', trust_class: 'trusted', agent: { connected: true } });
    const tunnel = hub.hub.registry.get(nodeId);

    const r = await admin.patch(`/nodes/${nodeId}`, { region: 'eu-central', trust_class: 'confidential', name: 'rack-7' });
    expect(r.status).toBe(200);
    // What `porten status` reads (the running agent's run state) changes within seconds; starting
    // `porten status` itself takes a second or two on a busy machine, so it is asked once after.
    await waitFor(() => readRunState(home)?.tunnel.welcome?.region === 'eu-central', 'the running agent recording region eu-central', 3000);
    const after = await status();
    expect(after).toMatchObject({ name: 'rack-7', region: 'eu-central', trust_class: 'confidential', agent: { connected: true, connected_since: before.agent.connected_since } });

    // No reconnect: the hub holds the same tunnel, the agent connected once.
    expect(hub.hub.registry.get(nodeId)).toBe(tunnel);
    expect(agent.stderr().match(/connected to the hub/g)).toHaveLength(1);
    expect(agent.stderr()).toContain("the hub changed this node's assignment");

    const plain = await runAgent(['status'], env);
    expect(plain.stdout).toMatch(/region:\s+eu-central\n/);
    expect(plain.stdout).toMatch(/trust class:\s+confidential\n/);
    expect(plain.stdout).toMatch(/node:\s+\S+ \(rack-7\)/);
  });
});
