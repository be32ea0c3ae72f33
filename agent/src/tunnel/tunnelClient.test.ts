import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineCapability, RequestMessage } from '@porten/shared/protocol';
import { fakeGguf, putWeights } from '@porten/hub/testing/mirrorTestSupport';
import { fixtures, waitFor } from '@porten/hub/testing/fixtures';
import { chat } from '@porten/hub/testing/httpClient';
import { startTestHub, type TestHub } from '@porten/hub/testing/testHub';
import { freePort } from '@porten/testkit/freePort';
import { createLogger } from '@porten/shared/log';
import type { Engine, EngineSink, LocalModel } from '../engines/types.ts';
import { AgentError } from '../errors/index.ts';
import { ModelStore } from '../models/index.ts';
import { Backoff } from './backoff.ts';
import { TunnelClient } from './tunnelClient.ts';

const log = createLogger(process.env.PORTEN_TEST_LOG ? 'debug' : 'error');
const MiB = 2 ** 20;

/**
 * A builtin-kind engine without llama.cpp: `load` checks the weights file's sha256 the way a real
 * engine would find a bad file, and a request is answered with the model's name, slowly when asked,
 * until aborted. It records what the tunnel asked of it.
 */
class FileEngine implements Engine {
  readonly kind = 'builtin' as const;
  readonly loads: string[] = [];
  readonly unloads: string[] = [];
  readonly aborted: string[] = [];
  private readonly loaded = new Map<string, LocalModel>();
  capabilities(): EngineCapability[] {
    return ['chat'];
  }
  loadedModels(): string[] {
    return [...this.loaded.keys()];
  }
  async load(model: LocalModel): Promise<void> {
    const digest = createHash('sha256').update(readFileSync(model.path)).digest('hex');
    if (digest !== model.sha256) throw new AgentError('load_failed', `${model.path} does not hash to ${model.sha256}`);
    this.loads.push(model.id);
    this.loaded.set(model.id, model);
  }
  async unload(id: string): Promise<void> {
    this.unloads.push(id);
    this.loaded.delete(id);
  }
  async run(request: RequestMessage, sink: EngineSink, signal: AbortSignal): Promise<void> {
    if (!this.loaded.has(request.model)) throw new AgentError('model_not_served', `${request.model} is not loaded`);
    const slow = request.kind === 'chat' && JSON.stringify(request.params.messages).includes('slow');
    for (let i = 0; i < (slow ? 100 : 3); i++) {
      if (signal.aborted) {
        this.aborted.push(request.id);
        throw new AgentError('cancelled', 'cancelled');
      }
      sink.delta({ content: `${request.model} ` });
      if (slow) await new Promise((r) => setTimeout(r, 50));
    }
    sink.done('stop', { prompt_tokens: 1, completion_tokens: 3 });
  }
  async close(): Promise<void> {}
}

/** The tunnel client in-process against a real hub, with the real model store downloading from the hub's mirror. */
describe('tunnel client (real hub, real model store and mirror)', () => {
  let hub: TestHub;
  let apiKey: string;
  let orgId: string;
  const clients: TunnelClient[] = [];

  const start = async (budgetMb: number) => {
    const f = fixtures(hub);
    const { node, credential } = await f.approvedNode(orgId, 'eu', 'trusted');
    const engine = new FileEngine();
    const models = await ModelStore.open({ dir: mkdtempSync(join(tmpdir(), 'porten-models-')), credential });
    const client = new TunnelClient({ hubUrl: hub.url, credential, agentVersion: 'test', engine, models, vramBudgetMb: budgetMb, maxConcurrency: 2, log });
    clients.push(client);
    client.start();
    await waitFor(() => hub.hub.registry.get(node.id) !== undefined, 'the tunnel registered');
    return { node, engine, client };
  };

  beforeAll(async () => {
    // The load frame names the mirror by the hub's public URL, so the hub needs a known port.
    const port = await freePort();
    hub = await startTestHub({ HUB_PORT: String(port), HUB_PUBLIC_URL: `http://127.0.0.1:${port}`, HUB_BLOB_DIR: mkdtempSync(join(tmpdir(), 'porten-blobs-')) });
    const f = fixtures(hub);
    orgId = (await f.org('clinic')).id;
    apiKey = (await f.key(orgId)).secret;
    for (const id of ['w1', 'w2']) {
      const { bytes } = fakeGguf(2 * MiB);
      const r = await putWeights(hub.url, hub.adminToken, id, bytes, { query: { capabilities: 'chat', context_length: '2048' } });
      expect(r.status, JSON.stringify(r.body)).toBe(201);
    }
  });
  afterAll(async () => {
    for (const c of clients) c.stop();
    await hub?.close();
  });

  it('loads on demand from the mirror, serves, evicts the least recently used model to fit the budget, and reports free VRAM', async () => {
    // Each 2 MiB model needs 3 MiB once loaded (size × 1.2, rounded up): a 4 MiB budget holds one.
    const { node, engine } = await start(4);
    const first = await chat(hub.url, apiKey, { model: 'w1', messages: [{ role: 'user', content: 'hi' }] });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.choices[0].message.content).toBe('w1 w1 w1 ');
    expect(engine.loads).toEqual(['w1']);
    await waitFor(() => hub.hub.registry.get(node.id)?.state.capacity.vram_free_mb === 1, 'free VRAM reported after the load');

    const second = await chat(hub.url, apiKey, { model: 'w2', messages: [{ role: 'user', content: 'hi' }] });
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body.choices[0].message.content).toBe('w2 w2 w2 ');
    expect(engine.unloads).toEqual(['w1']);
    expect(engine.loadedModels()).toEqual(['w2']);
  });

  it('a client that goes away cancels the request in the engine', async () => {
    const { engine } = await start(8);
    const ac = new AbortController();
    const res = await fetch(`${hub.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'w1', messages: [{ role: 'user', content: 'slow' }], stream: true }),
      signal: ac.signal,
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    await waitFor(() => engine.aborted.length === 1, 'the engine run aborted');
  });

  it('a credential the hub does not know ends the client for good (401 at the upgrade), without retrying', async () => {
    const engine = new FileEngine();
    let attempts = 0;
    const backoff = new Backoff(10, 10);
    const next = backoff.next.bind(backoff);
    backoff.next = () => (attempts++, next());
    const client = new TunnelClient({ hubUrl: hub.url, credential: 'porten-node-unknown', agentVersion: 'test', engine, models: undefined, vramBudgetMb: 1, maxConcurrency: 1, log, backoff });
    clients.push(client);
    client.start();
    const end = await client.ended;
    expect(end).toMatchObject({ kind: 'failed', error: { code: 'credential_rejected' } });
    expect(attempts).toBe(0);
  });
});
