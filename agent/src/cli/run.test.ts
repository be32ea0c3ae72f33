import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, type Client } from '@porten/hub/testing/adminTestClient';
import { startHub, type RunningHub } from '@porten/hub/hub';
import { createLogger } from '@porten/shared/log';
import { fixtures, waitFor } from '@porten/hub/testing/fixtures';
import { chat, postJson, sseEvents } from '@porten/hub/testing/httpClient';
import { startTestHub, type TestHub } from '@porten/hub/testing/testHub';
import type { TestNode } from '@porten/hub/testing/testNode';
import { writeCredentials } from '../config/index.ts';
import { runAgent, startAgent, type AgentRun } from './agentProcess.ts';

const REPLY = 'the quick brown fox jumps over the lazy dog again and again';

/**
 * `porten run` as a real process with the openai engine, end to end: a client calls hub A, which
 * routes to the agent, whose upstream is hub B (a real OpenAI-compatible server), which routes to a
 * protocol-level test node. Region and trust are hub A's operator's; the agent only shows them.
 */
describe('porten run with the openai engine (hub A → agent → hub B → test node)', () => {
  let hubA: TestHub;
  let hubB: TestHub;
  let restartedA: RunningHub | undefined;
  let urlA: string;
  let adminA: Client;
  let keyA: string;
  let nodeId: string;
  let upstreamNode: TestNode;
  let tokenDelayMs = 0;
  let home: string;
  let env: Record<string, string>;
  let agent: AgentRun | undefined;

  const nodeOnHub = async () => (await adminA.get(`/nodes/${nodeId}`)).body;
  const startRun = async () => {
    agent = startAgent(['run'], env, !!process.env.PORTEN_TEST_LOG);
    await waitFor(async () => {
      const n = await nodeOnHub();
      return n.online === true && n.loaded_models?.includes('m1');
    }, 'the agent online on hub A serving m1', 15_000);
    return agent;
  };

  beforeAll(async () => {
    [hubA, hubB] = await Promise.all([startTestHub(), startTestHub()]);
    urlA = hubA.url;
    adminA = client(urlA, hubA.adminToken);

    const b = fixtures(hubB);
    const orgB = await b.org('upstream site');
    await b.model('m1');
    const keyB = await b.key(orgB.id);
    upstreamNode = (await b.onlineNode(orgB.id, 'lab', 'trusted', { loadedModels: ['m1'], behaviour: () => ({ kind: 'reply', text: REPLY, tokenDelayMs }) }, 'upstream-node')).tn;

    const a = fixtures(hubA);
    const orgA = await a.org('clinic');
    await a.model('m1');
    keyA = (await a.key(orgA.id, { fleet: 'own', regions: ['eu'], min_trust: 'trusted' })).secret;
    const approved = await a.approvedNode(orgA.id, 'eu', 'trusted', 'clinic-gpu-01');
    nodeId = approved.node.id;

    home = join(mkdtempSync(join(tmpdir(), 'porten-run-')), 'home');
    writeCredentials(home, { hub_url: urlA, node_id: nodeId, credential: approved.credential });
    env = {
      PATH: process.env.PATH ?? '',
      PORTEN_HOME: home,
      PORTEN_ENGINE: 'openai',
      PORTEN_UPSTREAM_URL: hubB.url,
      PORTEN_UPSTREAM_API_KEY: keyB.secret,
      PORTEN_UPSTREAM_MODELS: 'm1',
      PORTEN_UPSTREAM_HEALTH_INTERVAL_MS: '200',
      PORTEN_VRAM_BUDGET_MB: '4096',
      PORTEN_LOG_LEVEL: 'debug',
    };
  });

  afterAll(async () => {
    agent?.kill('SIGKILL');
    await upstreamNode?.stop();
    await restartedA?.close();
    await Promise.all([hubA?.close(), hubB?.close()]);
  });

  it('connects: hub A lists the node online with the region and trust its operator chose, and `status` shows them', async () => {
    await startRun();
    const n = await nodeOnHub();
    expect(n).toMatchObject({ region: 'eu', trust_class: 'trusted', online: true, loaded_models: ['m1'] });

    const s = await runAgent(['status'], env);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/region:\s+eu\n/);
    expect(s.stdout).toMatch(/trust class:\s+trusted\n/);
    expect(s.stdout).toMatch(/node:\s+\S+ \(clinic-gpu-01\)/);
    expect(s.stdout).toMatch(/engine:\s+openai → http:\/\/127\.0\.0\.1:\d+\/v1/);
    expect(s.stdout).toMatch(/models:\s+m1\n/);
    expect(s.stdout).toMatch(/vram budget:\s+4096 MB \(PORTEN_VRAM_BUDGET_MB\)/);
    expect(s.stdout).toMatch(/agent:\s+running \(pid \d+, tunnel up since/);

    const json = await runAgent(['status', '--json'], env);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ node_id: nodeId, region: 'eu', trust_class: 'trusted', engine: 'openai', loaded_models: ['m1'], vram_budget_mb: 4096, agent: { running: true, connected: true } });
  });

  it('serves chat (plain and streamed with usage) and embeddings end to end through the upstream', async () => {
    const plain = await chat(urlA, keyA, { model: 'm1', messages: [{ role: 'user', content: 'hi' }] });
    expect(plain.status, JSON.stringify(plain.body)).toBe(200);
    expect(plain.headers.get('x-porten-node')).toBe(nodeId);
    expect(plain.headers.get('x-porten-region')).toBe('eu');
    expect(plain.body.choices[0].message.content).toBe(REPLY);
    const words = REPLY.split(' ').length;
    expect(plain.body.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: words });

    const streamed = await chat(urlA, keyA, { model: 'm1', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
    expect(streamed.status).toBe(200);
    const events = sseEvents(streamed.body as string);
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1) as { choices: { delta: { content?: string } }[]; usage?: { completion_tokens: number } }[];
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(REPLY);
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: words });

    const emb = await postJson(`${urlA}/v1/embeddings`, keyA, { model: 'm1', input: ['abc', 'hello'] });
    expect(emb.status, JSON.stringify(emb.body)).toBe(200);
    expect(emb.body.data.map((d: { embedding: number[] }) => d.embedding)).toEqual([
      [3, 0.5, -0.25],
      [5, 0.5, -0.25],
    ]);
    expect(upstreamNode.requests.length).toBeGreaterThanOrEqual(3);
  });

  it('reconnects after hub A restarts and serves again', async () => {
    const port = Number(new URL(urlA).port);
    await hubA.hub.close();
    await waitFor(() => /reconnecting/.test(agent!.stderr()), 'the agent noticing the hub went away');
    restartedA = await startHub({ ...hubA.config, port }, createLogger('error'));
    const hub = restartedA;
    await waitFor(() => hub.registry.get(nodeId)?.state.loaded_models.includes('m1') === true, 'the agent back on the restarted hub', 45_000);
    const r = await chat(urlA, keyA, { model: 'm1', messages: [{ role: 'user', content: 'again' }] });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.choices[0].message.content).toBe(REPLY);
  });

  it('SIGTERM drains: a streaming request in flight completes, a new one is refused, then exit 0', async () => {
    tokenDelayMs = 120;
    const res = await fetch(`${urlA}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${keyA}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm1', messages: [{ role: 'user', content: 'long' }], stream: true }),
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('"content"')) text += decoder.decode((await reader.read()).value, { stream: true });

    agent!.kill('SIGTERM');
    await waitFor(() => /draining/.test(agent!.stderr()), 'the agent draining');
    const refused = await chat(urlA, keyA, { model: 'm1', messages: [{ role: 'user', content: 'too late' }] });
    expect(refused.status, JSON.stringify(refused.body)).toBe(503);
    expect(refused.body.error.code).toBe('no_available_node');

    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    const events = sseEvents(text);
    expect(events.at(-1)).toBe('[DONE]');
    expect((events.slice(0, -1) as { choices: { delta: { content?: string } }[] }[]).map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe(REPLY);
    expect(await agent!.exited).toBe(0);
    tokenDelayMs = 0;
  });

  it('`status` without a running agent asks the hub itself; revocation stops the agent for good with one clear line', async () => {
    const s = await runAgent(['status'], env);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/region:\s+eu\n/);
    expect(s.stdout).toMatch(/trust class:\s+trusted\n/);
    expect(s.stdout).toMatch(/agent:\s+not running/);

    await startRun();
    expect((await adminA.post(`/nodes/${nodeId}/revoke`)).status).toBe(200);
    expect(await agent!.exited).toBe(3);
    const lines = agent!.stderr().trim().split('\n');
    expect(lines.at(-1)).toBe("porten: the hub revoked this node's credential: node credential revoked by an operator; run `porten logout`, then `porten login --hub URL` to enroll again");
    expect(agent!.stderr()).not.toMatch(/reconnecting/);

    const after = await runAgent(['status'], env);
    expect(after.code).toBe(3);
    expect(after.stderr.trim().split('\n')).toEqual([expect.stringContaining("the hub rejected this node's credential")]);
  });

  it('`status` with the hub unreachable is one line and exit 1', async () => {
    const r = await runAgent(['status'], { ...env, PORTEN_HUB_URL: 'http://127.0.0.1:59999' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^porten: cannot reach the hub at http:\/\/127\.0\.0\.1:59999 \(ECONNREFUSED\); check the hub URL/)]);
  });
});
