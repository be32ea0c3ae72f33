import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestMessage } from '@porten/shared/protocol';
import { silentLogger } from '@porten/shared/log';
import { client } from '@porten/hub/testing/adminTestClient';
import { fixtures, waitFor } from '@porten/hub/testing/fixtures';
import { chat } from '@porten/hub/testing/httpClient';
import { startTestHub, type TestHub } from '@porten/hub/testing/testHub';
import { freePort } from '@porten/testkit/freePort';
import { startAgent, runAgent, type AgentRun } from '../../cli/agentProcess.ts';
import { writeCredentials } from '../../config/index.ts';
import { RecordingSink, rejection } from '../../../test/support/engineTestSupport.ts';
import { OllamaEngine } from './ollamaEngine.ts';

/**
 * The ollama engine with its daemon unreachable: a real closed loopback port (nothing listens).
 * No Ollama daemon exists on this machine and no stand-in for one is used, so this is the part of
 * the engine's life that can be run for real here; the translation is tested against the
 * documented API shapes in ollamaRequest.test.ts and ollamaStream.test.ts.
 */
const hint = 'start it (`ollama serve`, or `systemctl start ollama`) or set PORTEN_OLLAMA_URL to the address it listens on';
const chatReq = (model: string): RequestMessage => ({ type: 'request', id: 'r1', kind: 'chat', model, params: { messages: [{ role: 'user', content: 'hi' }] } });

describe('ollama engine, daemon unreachable (real closed loopback port)', () => {
  let url: string;
  let engine: OllamaEngine;

  beforeAll(async () => {
    url = `http://127.0.0.1:${await freePort()}`;
    engine = new OllamaEngine({ baseUrl: url, apiKey: undefined, models: [{ id: 'llama3.2-3b', upstream: 'llama3.2' }], healthIntervalMs: 200, log: silentLogger });
    await engine.start();
  });
  afterAll(async () => {
    await engine?.close();
  });

  it('starts, reports unhealthy and advertises no model', () => {
    expect(engine.kind).toBe('ollama');
    expect(engine.capabilities()).toEqual(['chat', 'completions', 'embeddings', 'tools']);
    expect(engine.loadedModels()).toEqual([]);
    expect(engine.healthState()).toMatchObject({ healthy: false, served: [], error: `the Ollama daemon at ${url} cannot be reached (ECONNREFUSED); ${hint}` });
  });

  it('a request fails with upstream_unreachable (retryable: the hub tries another node) saying where the daemon was looked for and what to do', async () => {
    const sink = new RecordingSink();
    const err = await rejection(engine.run(chatReq('llama3.2-3b'), sink, new AbortController().signal));
    expect({ code: err.code, retryable: err.retryable, message: err.message }).toEqual({
      code: 'upstream_unreachable',
      retryable: true,
      message: `the Ollama daemon at ${url} cannot be reached (ECONNREFUSED); ${hint}`,
    });
    expect(sink.deltas).toEqual([]);
    expect(sink.finished).toBeUndefined();
  });

  it('a model outside PORTEN_OLLAMA_MODELS is not served; weights are never loaded', async () => {
    expect(await rejection(engine.run(chatReq('mistral'), new RecordingSink(), new AbortController().signal))).toMatchObject({
      code: 'model_not_served',
      message: 'this node does not serve mistral: it is not in PORTEN_OLLAMA_MODELS',
    });
    expect(await rejection(engine.load({ id: 'llama3.2-3b', path: '/x', sha256: 'x', size_bytes: 1 }))).toMatchObject({
      code: 'not_supported',
      message: 'the ollama engine does not load weights (asked for llama3.2-3b): the Ollama daemon serves the models it has; list them in PORTEN_OLLAMA_MODELS',
    });
  });
});

describe('`porten run` with PORTEN_ENGINE=ollama and the daemon down (real hub, real agent process)', () => {
  let hub: TestHub;
  let agent: AgentRun | undefined;
  let env: Record<string, string>;
  let nodeId: string;
  let apiKey: string;
  let ollamaUrl: string;

  beforeAll(async () => {
    hub = await startTestHub();
    const f = fixtures(hub);
    const org = await f.org('clinic');
    await f.model('llama3.2-3b');
    apiKey = (await f.key(org.id)).secret;
    const approved = await f.approvedNode(org.id, 'eu', 'trusted', 'ollama-box');
    nodeId = approved.node.id;
    const home = join(mkdtempSync(join(tmpdir(), 'porten-ollama-')), 'home');
    writeCredentials(home, { hub_url: hub.url, node_id: nodeId, credential: approved.credential });
    ollamaUrl = `http://127.0.0.1:${await freePort()}`;
    env = {
      PATH: process.env.PATH ?? '',
      PORTEN_HOME: home,
      PORTEN_ENGINE: 'ollama',
      PORTEN_OLLAMA_URL: ollamaUrl,
      PORTEN_OLLAMA_MODELS: 'llama3.2-3b=llama3.2',
      PORTEN_UPSTREAM_HEALTH_INTERVAL_MS: '200',
      PORTEN_VRAM_BUDGET_MB: '4096',
    };
  });
  afterAll(async () => {
    agent?.kill('SIGKILL');
    await hub?.close();
  });

  it('connects and is online advertising nothing; the hub refuses the model with 503; the log says why; SIGTERM exits 0', async () => {
    const admin = client(hub.url, hub.adminToken);
    agent = startAgent(['run'], env, !!process.env.PORTEN_TEST_LOG);
    await waitFor(async () => (await admin.get(`/nodes/${nodeId}`)).body.online === true, 'the agent online on the hub', 15_000);
    expect((await admin.get(`/nodes/${nodeId}`)).body).toMatchObject({ online: true, loaded_models: [] });

    const r = await chat(hub.url, apiKey, { model: 'llama3.2-3b', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.status, JSON.stringify(r.body)).toBe(503);
    expect(r.body.error.code).toBe('no_available_node');

    expect(agent.stderr()).toContain(`the Ollama daemon at ${ollamaUrl} cannot be reached (ECONNREFUSED); ${hint}`);
    const s = await runAgent(['status', '--json'], env);
    expect(s.code, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout)).toMatchObject({ engine: 'ollama', upstream_url: ollamaUrl, loaded_models: [], agent: { running: true, connected: true } });

    agent.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
  });
});
