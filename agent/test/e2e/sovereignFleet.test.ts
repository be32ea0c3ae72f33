import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putWeights } from '@porten/hub/testing/mirrorTestSupport';
import { client, enrolledNode } from '@porten/hub/testing/adminTestClient';
import { waitFor } from '@porten/hub/testing/fixtures';
import { startTestHub, type TestHub } from '@porten/hub/testing/testHub';
import { startAgent, type AgentRun } from '../../src/cli/agentProcess.ts';
import { writeCredentials } from '../../src/config/index.ts';
import { writeTinyLlama } from '../../src/gguf/index.ts';

const MODEL = 'tiny-fleet';
const MESSAGES = [{ role: 'user' as const, content: 'hello' }];

interface FleetNode {
  name: string;
  id: string;
  home: string;
  agent?: AgentRun;
}

/**
 * The sovereign fleet, end to end with real processes: one hub (PostgreSQL + Redis) and three real
 * `porten run` agents on the builtin engine (llama.cpp in a child process) — node 1 org A/eu/trusted,
 * node 2 org A/us/trusted, node 3 org B/eu/community. The model is only in the hub's catalog (imported
 * GGUF weights); agents download it from the mirror on demand. Clients use the official openai SDK.
 */
describe('sovereign fleet: hub + three builtin agents, official openai SDK', () => {
  let hub: TestHub;
  let tmp: string;
  let sha256: string;
  const nodes: FleetNode[] = [];
  let euOwn: OpenAI; // org A, fleet own, regions [eu]
  let trustedAny: OpenAI; // org B, fleet any, min_trust trusted
  let orgBOwn: OpenAI; // org B, fleet own (its community node only)

  const startNode = async (n: FleetNode) => {
    n.agent = startAgent(
      ['run'],
      { PATH: process.env.PATH ?? '', PORTEN_HOME: n.home, PORTEN_ENGINE: 'builtin', PORTEN_VRAM_BUDGET_MB: '1024', PORTEN_THREADS: '1' },
      !!process.env.PORTEN_TEST_LOG,
    );
    await waitFor(() => hub.hub.registry.get(n.id) !== undefined, `${n.name} connected`, 20_000);
  };

  const routeRecord = async (requestId: string) => {
    let row: { node_id: string; node_region: string } | undefined;
    await waitFor(async () => {
      const { rows } = await hub.hub.deps.pool.query(`select node_id, node_region from audit_records where event = 'route' and request_id = $1`, [requestId]);
      row = rows[0];
      return row !== undefined;
    }, `the route audit record of ${requestId}`, 10_000);
    return row!;
  };

  const warming = async () => (await (await fetch(`${hub.url}/public/v1/models/warming?model=${MODEL}`)).json()) as { ready: boolean; phase: string };

  beforeAll(async () => {
    hub = await startTestHub();
    tmp = mkdtempSync(join(tmpdir(), 'porten-fleet-'));
    const model = await writeTinyLlama(join(tmp, 'tiny.gguf'), { seed: 11 });
    sha256 = model.sha256;
    const imported = await putWeights(hub.url, hub.adminToken, MODEL, readFileSync(model.path), { query: { capabilities: 'chat,completions', context_length: '512' } });
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);

    // Everything through the admin API, as an operator does it: orgs, keys, and each node enrolled
    // (POST /v1/nodes/enroll) then approved with its org, region and trust class.
    const admin = client(hub.url, hub.adminToken);
    const org = async (name: string) => {
      const r = await admin.post('/orgs', { name });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return r.body.id as string;
    };
    const orgA = await org('clinic A');
    const orgB = await org('lab B');
    const specs = [
      { name: 'node1', org_id: orgA, region: 'eu', trust_class: 'trusted' },
      { name: 'node2', org_id: orgA, region: 'us', trust_class: 'trusted' },
      { name: 'node3', org_id: orgB, region: 'eu', trust_class: 'community' },
    ];
    for (const s of specs) {
      const enrolled = await enrolledNode(hub.url, admin, s);
      const node = await admin.get(`/nodes/${enrolled.node_id}`);
      expect(node.body).toMatchObject({ org_id: s.org_id, region: s.region, trust_class: s.trust_class });
      const home = join(tmp, s.name);
      writeCredentials(home, { hub_url: hub.url, node_id: enrolled.node_id, credential: enrolled.credential });
      nodes.push({ name: s.name, id: enrolled.node_id, home });
    }
    const sdk = async (policy: Record<string, unknown>) => {
      const r = await admin.post('/keys', { name: 'e2e key', ...policy });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return new OpenAI({ baseURL: `${hub.url}/v1`, apiKey: r.body.key as string, maxRetries: 0, timeout: 60_000 });
    };
    euOwn = await sdk({ org_id: orgA, fleet: 'own', regions: ['eu'] });
    trustedAny = await sdk({ org_id: orgB, fleet: 'any', min_trust: 'trusted' });
    orgBOwn = await sdk({ org_id: orgB, fleet: 'own' });

    await Promise.all(nodes.map(startNode));
  }, 90_000);

  afterAll(async () => {
    for (const n of nodes) n.agent?.kill('SIGKILL');
    await Promise.all(nodes.map((n) => n.agent?.exited));
    await hub?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }, 30_000);

  it('on demand: the catalog model is on no node, then downloaded, loaded and ready after the first request', { timeout: 60_000 }, async () => {
    const [n1] = nodes;
    expect(await warming()).toMatchObject({ ready: false, phase: 'idle' });
    for (const n of nodes) expect(hub.hub.registry.get(n.id)!.state.loaded_models).toEqual([]);

    // Watch the warming endpoint while the first request waits for the load.
    const phases = new Set<string>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        phases.add((await warming()).phase);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const { data, response } = await euOwn.chat.completions.create({ model: MODEL, messages: MESSAGES, max_tokens: 6 }).withResponse();
    watching = false;
    await watcher;

    expect(response.headers.get('x-porten-node')).toBe(n1!.id);
    expect(data.usage!.completion_tokens).toBeGreaterThan(0);
    expect(data.usage!.completion_tokens).toBeLessThanOrEqual(6);
    expect(existsSync(join(n1!.home, 'models', `sha256-${sha256}`))).toBe(true);
    // Phases only move forward, and the load in progress was visible (it takes ≳ 1 s; polled every 10 ms).
    const order = ['idle', 'downloading', 'loading', 'ready'];
    const seen = [...phases];
    for (const p of seen) expect(order).toContain(p);
    expect(seen).toEqual([...seen].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
    expect(seen.some((p) => p === 'downloading' || p === 'loading'), `phases seen: ${seen.join(', ')}`).toBe(true);
    expect(await warming()).toMatchObject({ ready: true, phase: 'ready' });
  });

  it('an own + eu key of org A is served only by node 1, non-streaming and streaming (header and audit record)', { timeout: 60_000 }, async () => {
    const [n1] = nodes;
    for (let i = 0; i < 2; i++) {
      const { data, response } = await euOwn.chat.completions.create({ model: MODEL, messages: MESSAGES, max_tokens: 4 }).withResponse();
      expect(typeof data.choices[0]!.message.content).toBe('string');
      expect(response.headers.get('x-porten-node')).toBe(n1!.id);
      expect(await routeRecord(response.headers.get('x-request-id')!)).toEqual({ node_id: n1!.id, node_region: 'eu' });
    }

    const { data: stream, response } = await euOwn.chat.completions.create({ model: MODEL, messages: MESSAGES, max_tokens: 5, stream: true, stream_options: { include_usage: true } }).withResponse();
    expect(response.headers.get('x-porten-node')).toBe(n1!.id);
    let chunks = 0;
    let completionTokens = 0;
    for await (const chunk of stream) {
      chunks++;
      if (chunk.usage) completionTokens = chunk.usage.completion_tokens;
    }
    expect(chunks).toBeGreaterThan(1);
    expect(completionTokens).toBeGreaterThan(0);
    expect(completionTokens).toBeLessThanOrEqual(5);
    expect(await routeRecord(response.headers.get('x-request-id')!)).toEqual({ node_id: n1!.id, node_region: 'eu' });
  });

  it('node 1 stopped (SIGTERM) → 503 no_available_node; started again on the same home → served by node 1', { timeout: 60_000 }, async () => {
    const n1 = nodes[0]!;
    n1.agent!.kill('SIGTERM');
    expect(await n1.agent!.exited).toBe(0);
    await waitFor(() => hub.hub.registry.get(n1.id) === undefined, 'node 1 gone from the registry', 10_000);

    const err = await euOwn.chat.completions.create({ model: MODEL, messages: MESSAGES, max_tokens: 4 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).status).toBe(503);
    expect((err as APIError).code).toBe('no_available_node');

    await startNode(n1); // same PORTEN_HOME: same credential, the downloaded weights are reused
    const { response } = await euOwn.chat.completions.create({ model: MODEL, messages: MESSAGES, max_tokens: 4 }).withResponse();
    expect(response.headers.get('x-porten-node')).toBe(n1.id);
    expect(await routeRecord(response.headers.get('x-request-id')!)).toEqual({ node_id: n1.id, node_region: 'eu' });
  });

  it('a min_trust trusted key (fleet any) never reaches the community node 3, though node 3 serves its own org', { timeout: 60_000 }, async () => {
    const [n1, n2, n3] = nodes;
    // Node 3 is able to serve: org B's own-fleet key reaches it (it loads the model on demand).
    const own = await orgBOwn.chat.completions.create({ model: MODEL, messages: MESSAGES, max_tokens: 4 }).withResponse();
    expect(own.response.headers.get('x-porten-node')).toBe(n3!.id);

    const replies = await Promise.all(
      Array.from({ length: 6 }, () => trustedAny.chat.completions.create({ model: MODEL, messages: MESSAGES, max_tokens: 3 }).withResponse()),
    );
    const servedBy = replies.map((r) => r.response.headers.get('x-porten-node'));
    for (const id of servedBy) expect([n1!.id, n2!.id]).toContain(id);
    expect(servedBy).not.toContain(n3!.id);
    for (const r of replies) {
      const rec = await routeRecord(r.response.headers.get('x-request-id')!);
      expect(rec.node_id).not.toBe(n3!.id);
      expect([n1!.id, n2!.id]).toContain(rec.node_id);
    }
  });
});
