import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putWeights } from '@porten/hub/testing/mirrorTestSupport';
import { fixtures, waitFor } from '@porten/hub/testing/fixtures';
import { chat } from '@porten/hub/testing/httpClient';
import { startTestHub, type TestHub } from '@porten/hub/testing/testHub';
import { freePort } from '@porten/testkit/freePort';
import { writeCredentials } from '../config/index.ts';
import { writeTinyLlama } from '../gguf/index.ts';
import { startAgent, type AgentRun } from './agentProcess.ts';

/**
 * `porten run` with the builtin engine, end to end on a generated model: the hub asks the agent to
 * load a catalog model no node has; the agent downloads it from the hub's mirror, verifies it, loads
 * it in llama.cpp (child process) and serves the waiting request. Then SIGTERM drains and exits 0.
 */
describe('porten run with the builtin engine (on-demand load from the hub mirror)', () => {
  let hub: TestHub;
  let agent: AgentRun | undefined;
  let home: string;
  let key: string;
  let nodeId: string;
  let sha256: string;

  beforeAll(async () => {
    const port = await freePort(); // the load frame names the mirror by the hub's public URL
    hub = await startTestHub({ HUB_PORT: String(port), HUB_PUBLIC_URL: `http://127.0.0.1:${port}`, HUB_BLOB_DIR: mkdtempSync(join(tmpdir(), 'porten-blobs-')) });
    const tmp = mkdtempSync(join(tmpdir(), 'porten-builtin-'));
    const model = await writeTinyLlama(join(tmp, 'tiny.gguf'));
    sha256 = model.sha256;
    const imported = await putWeights(hub.url, hub.adminToken, 'tiny', readFileSync(model.path), { query: { capabilities: 'chat,completions', context_length: '512' } });
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);

    const f = fixtures(hub);
    const org = await f.org('clinic');
    key = (await f.key(org.id)).secret;
    const approved = await f.approvedNode(org.id, 'eu', 'trusted');
    nodeId = approved.node.id;
    home = join(tmp, 'home');
    writeCredentials(home, { hub_url: hub.url, node_id: nodeId, credential: approved.credential });
  });
  afterAll(async () => {
    agent?.kill('SIGKILL');
    await hub?.close();
  });

  it('downloads, verifies, loads and serves a model the node did not have; SIGTERM then exits 0', { timeout: 120_000 }, async () => {
    agent = startAgent(['run'], { PATH: process.env.PATH ?? '', PORTEN_HOME: home, PORTEN_VRAM_BUDGET_MB: '1024', PORTEN_THREADS: '1' }, !!process.env.PORTEN_TEST_LOG);
    await waitFor(() => hub.hub.registry.get(nodeId) !== undefined, 'the agent connected', 15_000);
    expect(hub.hub.registry.get(nodeId)!.state).toMatchObject({ engine: 'builtin', loaded_models: [], capacity: { vram_total_mb: 1024 } });

    const r = await chat(hub.url, key, { model: 'tiny', messages: [{ role: 'user', content: 'hello' }], max_tokens: 8 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.headers.get('x-porten-node')).toBe(nodeId);
    expect(typeof r.body.choices[0].message.content).toBe('string');
    expect(r.body.usage.completion_tokens).toBeGreaterThan(0);
    expect(r.body.usage.completion_tokens).toBeLessThanOrEqual(8);
    expect(existsSync(join(home, 'models', `sha256-${sha256}`))).toBe(true);
    await waitFor(() => hub.hub.registry.get(nodeId)?.state.loaded_models.includes('tiny') === true, 'the heartbeat reporting tiny loaded');

    agent.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
  });
});
