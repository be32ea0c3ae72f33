import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestMessage } from '@porten/shared/protocol';
import { startHub, type RunningHub } from '@porten/hub/hub';
import { createLogger } from '@porten/shared/log';
import { fixtures, waitFor } from '@porten/hub/testing/fixtures';
import { startTestHub, type TestHub } from '@porten/hub/testing/testHub';
import type { Behaviour, TestNode } from '@porten/hub/testing/testNode';
import { silentLogger } from '@porten/shared/log';
import { RecordingSink, rejection } from '../../../test/support/engineTestSupport.ts';
import { OpenAIEngine } from './openaiEngine.ts';

const REPLY = 'one two three four five';

const chatReq = (content: string, extra: Record<string, unknown> = {}, model = 'm1'): RequestMessage => ({
  type: 'request',
  id: `r-${Math.random().toString(36).slice(2)}`,
  kind: 'chat',
  model,
  params: { messages: [{ role: 'user', content }], ...extra },
});

/** The openai engine against a real OpenAI-compatible upstream: a Porten hub with a test node behind it. */
describe('openai engine (real upstream: a Porten hub and its test node)', () => {
  let upstream: TestHub;
  let node: TestNode;
  let nodeId: string;
  let apiKey: string;
  const engines: OpenAIEngine[] = [];
  const engine = async (models = [{ id: 'm1', upstream: 'm1' }], baseUrl = `${upstream.url}/v1`) => {
    const e = new OpenAIEngine({ baseUrl, apiKey, models, healthIntervalMs: 200, log: silentLogger });
    engines.push(e);
    await e.start();
    return e;
  };

  beforeAll(async () => {
    upstream = await startTestHub();
    const f = fixtures(upstream);
    const org = await f.org('upstream');
    await f.model('m1');
    apiKey = (await f.key(org.id)).secret;
    const behaviour = (req: RequestMessage): Behaviour => {
      const said = req.kind === 'chat' ? JSON.stringify(req.params.messages) : '';
      if (said.includes('die')) return { kind: 'die_after_first_byte', text: 'partial ' };
      if (said.includes('busy')) return { kind: 'error', retryable: false, code: 'engine_error', message: 'the test node is out of order' };
      if (said.includes('slow')) return { kind: 'reply', text: REPLY, tokenDelayMs: 100 };
      return { kind: 'reply', text: REPLY };
    };
    const online = await f.onlineNode(org.id, 'lab', 'trusted', { loadedModels: ['m1'], behaviour }, 'upstream-node');
    node = online.tn;
    nodeId = online.node.id;
  });
  afterAll(async () => {
    await Promise.all(engines.map((e) => e.close()));
    await node?.stop();
    await upstream?.close();
  });

  it('advertises the allow-listed models the upstream lists, under their catalog ids', async () => {
    const e = await engine([
      { id: 'm1', upstream: 'm1' },
      { id: 'alias', upstream: 'm1' },
      { id: 'ghost', upstream: 'not-there' },
    ]);
    expect(e.loadedModels()).toEqual(['m1', 'alias']);
    expect(e.healthState()).toMatchObject({ healthy: true, missing: ['ghost (not-there)'] });
    expect(e.capabilities()).toEqual(['chat', 'completions', 'embeddings', 'tools']);
    await expect(e.load({ id: 'x', path: '/x', sha256: 'x', size_bytes: 1 })).rejects.toMatchObject({ code: 'not_supported' });

    const sink = new RecordingSink();
    await e.run(chatReq('hi', {}, 'alias'), sink, new AbortController().signal);
    expect(sink.text).toBe(REPLY);
    expect(node.requests.at(-1)).toMatchObject({ model: 'm1' });
  });

  it('streams chat deltas and ends with the upstream’s own usage and finish reason', async () => {
    const e = await engine();
    const sink = new RecordingSink();
    await e.run(chatReq('hi', { temperature: 0.5, max_tokens: 50, stop: ['\n\n'], seed: 3 }), sink, new AbortController().signal);
    expect(sink.deltas.length).toBe(REPLY.split(' ').length);
    expect(sink.text).toBe(REPLY);
    expect(sink.finished).toEqual({ finish: 'stop', usage: { prompt_tokens: 7, completion_tokens: 5 } });
    // The sampling parameters reached the node behind the upstream unchanged.
    expect(node.requests.at(-1)).toMatchObject({ params: { temperature: 0.5, max_tokens: 50, stop: ['\n\n'], seed: 3 } });
  });

  it('serves text completions and embeddings', async () => {
    const e = await engine();
    const text = new RecordingSink();
    await e.run({ type: 'request', id: 'c1', kind: 'completion', model: 'm1', params: { prompt: 'Once', max_tokens: 5 } }, text, new AbortController().signal);
    expect(text.text).toBe(REPLY);
    expect(text.finished?.usage.completion_tokens).toBe(5);

    const emb = new RecordingSink();
    await e.run({ type: 'request', id: 'e1', kind: 'embedding', model: 'm1', params: { input: ['ab', 'abcd'] } }, emb, new AbortController().signal);
    expect(emb.embeddings).toEqual([
      [2, 0.5, -0.25],
      [4, 0.5, -0.25],
    ]);
    expect(emb.finished).toMatchObject({ finish: 'stop', usage: { completion_tokens: 0 } });
  });

  it('upstream errors: 400 → invalid_request; a refusal before the first byte → retryable; a failure mid-stream → not retryable', async () => {
    const e = await engine();
    const bad = await rejection(e.run(chatReq('hi', { temperature: 7 }), new RecordingSink(), new AbortController().signal));
    expect(bad).toMatchObject({ code: 'invalid_request', retryable: false });
    expect(bad.message).toMatch(/temperature/);

    const refused = await rejection(e.run(chatReq('busy'), new RecordingSink(), new AbortController().signal));
    expect(refused).toMatchObject({ code: 'upstream_error', retryable: true });
    expect(refused.message).toMatch(/answered 502/);

    const sink = new RecordingSink();
    const cut = await rejection(e.run(chatReq('die'), sink, new AbortController().signal));
    expect(sink.text).toBe('partial ');
    expect(cut).toMatchObject({ code: 'upstream_error', retryable: false });
    expect(sink.finished).toBeUndefined();
    // The test node cut its own tunnel to fail mid-stream; bring it back for the next tests.
    await waitFor(() => upstream.hub.registry.get(nodeId) === undefined, 'the upstream noticing its node died');
    await node.connect();
    await waitFor(() => upstream.hub.registry.get(nodeId) !== undefined, 'the upstream node back');

    const unknown = await rejection(e.run(chatReq('hi', {}, 'not-allowed'), new RecordingSink(), new AbortController().signal));
    expect(unknown).toMatchObject({ code: 'model_not_served', retryable: true });
  });

  it('aborting stops the upstream request promptly', async () => {
    const e = await engine();
    const sink = new RecordingSink();
    const ac = new AbortController();
    const req = chatReq('slow');
    const run = e.run(req, sink, ac.signal);
    await waitFor(() => sink.deltas.length > 0, 'first delta');
    const t0 = Date.now();
    ac.abort();
    expect(await rejection(run)).toMatchObject({ code: 'cancelled' });
    expect(Date.now() - t0).toBeLessThan(500);
    expect(sink.finished).toBeUndefined();
    // The upstream hub saw its client go away and cancelled the stream on its node.
    const upstreamId = node.requests.at(-1)!.id;
    await waitFor(() => node.cancelled.includes(upstreamId), 'the upstream cancelling its node');
  });

  it('an upstream that goes down: the request fails retryable, nothing is advertised, and it is back when the upstream is', async () => {
    const other = await startTestHub();
    let restarted: RunningHub | undefined;
    try {
      const f = fixtures(other);
      const org = await f.org('other');
      await f.model('m1');
      const key = (await f.key(org.id)).secret;
      // A long interval: only the failing request can notice the upstream went away.
      const e = new OpenAIEngine({ baseUrl: `${other.url}/v1`, apiKey: key, models: [{ id: 'm1', upstream: 'm1' }], healthIntervalMs: 60_000, log: silentLogger });
      engines.push(e);
      await e.start();
      expect(e.loadedModels()).toEqual(['m1']);
      await other.hub.close();

      const down = await rejection(e.run(chatReq('hi'), new RecordingSink(), new AbortController().signal));
      expect(down).toMatchObject({ code: 'upstream_unreachable', retryable: true });
      expect(down.message).toMatch(/ECONNREFUSED/);
      expect(e.loadedModels()).toEqual([]);
      // While it is known to be down, requests fail at once with the same reason and what to do.
      const still = await rejection(e.run(chatReq('hi'), new RecordingSink(), new AbortController().signal));
      expect(still).toMatchObject({ code: 'upstream_unreachable', retryable: true });
      expect(still.message).toMatch(/^the upstream at http:\/\/127\.0\.0\.1:\d+\/v1 cannot be reached \(ECONNREFUSED\); check that it is running and that PORTEN_UPSTREAM_URL points at it$/);

      restarted = await startHub({ ...other.config, port: Number(new URL(other.url).port) }, createLogger('error'));
      await waitFor(() => e.loadedModels().includes('m1'), 'the engine advertising m1 again', 10_000);
    } finally {
      await restarted?.close();
      await other.close();
    }

    const never = await engine([{ id: 'm1', upstream: 'm1' }], 'http://127.0.0.1:59999/v1');
    expect(never.loadedModels()).toEqual([]);
    expect(never.healthState()).toMatchObject({ healthy: false, error: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('a wrong API key makes the upstream unhealthy (nothing advertised), not a crash', async () => {
    const e = new OpenAIEngine({ baseUrl: `${upstream.url}/v1`, apiKey: 'sk-porten-wrong', models: [{ id: 'm1', upstream: 'm1' }], healthIntervalMs: 200, log: silentLogger });
    engines.push(e);
    await e.start();
    expect(e.loadedModels()).toEqual([]);
    expect(e.healthState().error).toMatch(/answered 401/);
  });
});
