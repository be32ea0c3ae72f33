import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putWeights } from '@porten/hub/testing/mirrorTestSupport';
import { fixtures, waitFor } from '@porten/hub/testing/fixtures';
import { startTestHub, type TestHub } from '@porten/hub/testing/testHub';
import { startAgent, type AgentRun } from '../../src/cli/agentProcess.ts';
import { writeCredentials } from '../../src/config/index.ts';
import { writeTinyLlama } from '../../src/gguf/index.ts';

const MODEL = 'tiny-crash';
const MESSAGES = [{ role: 'user' as const, content: 'hello' }];

/** The builtin engine's llama.cpp child of the agent process (`ps --ppid`), or undefined. */
function engineChildPid(agentPid: number): number | undefined {
  let out = '';
  try {
    out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(agentPid)], { encoding: 'utf8' });
  } catch {
    return undefined; // ps exits 1 when there is no child
  }
  const line = out.split('\n').find((l) => l.includes('engineChild'));
  return line ? Number(line.trim().split(/\s+/)[0]) : undefined;
}

/**
 * The real `porten run` agent with the builtin engine: its llama.cpp child process is killed while a
 * streaming request is in flight. The client sees an error (not a hang, not a truncated success), the
 * agent stays up and connected, starts a new engine process, and serves the next request.
 */
describe('engine child killed mid-stream (real agent, builtin engine)', () => {
  let hub: TestHub;
  let tmp: string;
  let agent: AgentRun | undefined;
  let nodeId: string;
  let client: OpenAI;

  beforeAll(async () => {
    hub = await startTestHub();
    tmp = mkdtempSync(join(tmpdir(), 'porten-crash-'));
    const model = await writeTinyLlama(join(tmp, 'tiny.gguf'), { seed: 5 });
    const imported = await putWeights(hub.url, hub.adminToken, MODEL, readFileSync(model.path), { query: { capabilities: 'chat,completions', context_length: '2048' } });
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);
    const f = fixtures(hub);
    const org = await f.org('clinic');
    const approved = await f.approvedNode(org.id, 'eu', 'trusted', 'crash-node');
    nodeId = approved.node.id;
    const home = join(tmp, 'home');
    writeCredentials(home, { hub_url: hub.url, node_id: nodeId, credential: approved.credential });
    client = new OpenAI({ baseURL: `${hub.url}/v1`, apiKey: (await f.key(org.id, { fleet: 'own' })).secret, maxRetries: 0, timeout: 60_000 });
    agent = startAgent(['run'], { PATH: process.env.PATH ?? '', PORTEN_HOME: home, PORTEN_ENGINE: 'builtin', PORTEN_VRAM_BUDGET_MB: '1024', PORTEN_THREADS: '1' }, !!process.env.PORTEN_TEST_LOG);
    await waitFor(() => hub.hub.registry.get(nodeId) !== undefined, 'the agent connected', 20_000);
    // Warm up: download, load, serve once, so the engine child exists.
    const { response } = await client.chat.completions.create({ model: MODEL, messages: MESSAGES, max_tokens: 4 }).withResponse();
    expect(response.headers.get('x-porten-node')).toBe(nodeId);
  }, 90_000);

  afterAll(async () => {
    agent?.kill('SIGKILL');
    await agent?.exited;
    await hub?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  }, 30_000);

  it('the stream errors cleanly, the agent stays up, restarts the engine and serves the next request', { timeout: 60_000 }, async () => {
    const agentPid = agent!.child.pid!;
    const enginePid = engineChildPid(agentPid);
    expect(enginePid, 'the engine child of the agent').toBeGreaterThan(0);

    const stream = await client.chat.completions.create({ model: MODEL, messages: MESSAGES, max_tokens: 1900, stream: true });
    let chunks = 0;
    let finish: string | null | undefined;
    let killedAfter = -1;
    const err = await (async () => {
      try {
        for await (const chunk of stream) {
          chunks++;
          if (chunk.choices[0]?.finish_reason) finish = chunk.choices[0].finish_reason;
          if (killedAfter < 0 && chunk.choices[0]?.delta?.content) {
            killedAfter = chunks;
            process.kill(enginePid!, 'SIGKILL');
          }
        }
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(killedAfter, 'the kill happened after the first token').toBeGreaterThan(0);
    expect(err, `the stream ended without an error after ${chunks} chunks (finish ${finish})`).toBeInstanceOf(APIError);
    expect((err as APIError).message).toMatch(/engine process exited/);
    expect(finish).not.toBe('length'); // not a truncated success

    // The agent is still up and connected; the next request is served (by a new engine process).
    expect(agent!.child.exitCode).toBeNull();
    expect(hub.hub.registry.get(nodeId)).toBeDefined();
    const { data, response } = await client.chat.completions.create({ model: MODEL, messages: MESSAGES, max_tokens: 4 }).withResponse();
    expect(response.headers.get('x-porten-node')).toBe(nodeId);
    expect(data.usage!.completion_tokens).toBeGreaterThan(0);
    const newPid = engineChildPid(agentPid);
    expect(newPid).toBeGreaterThan(0);
    expect(newPid).not.toBe(enginePid);
  });
});
