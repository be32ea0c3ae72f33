import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestMessage } from '@porten/shared/protocol';
import { fixtures, waitFor } from '../support/fixtures.ts';
import { postJson, sseEvents } from '../support/httpClient.ts';
import { schemaErrors } from '../openaiSchemas.ts';
import { startTestHub, type TestHub } from '../support/testHub.ts';
import type { TestNode } from '../support/testNode.ts';
import { fuzzParams, fuzzTimeoutMs } from './fuzzSettings.ts';
import { hostileJson, hostileNumber, hostileString } from './hostileValues.ts';

const FRAME_TYPES = ['hello', 'heartbeat', 'load_progress', 'delta', 'result', 'done', 'error', 'request', 'welcome', 'assignment', 'cancel', 'bogus'];

/** Errors a client may see when the node serving it misbehaves: the node's fault, named as such. */
const NODE_FAULTS: Record<number, string[]> = { 502: ['node_error'], 503: ['no_available_node', 'model_warming'], 429: ['rate_limit_exceeded'] };

/**
 * Frames a malicious node sends, given the id of a stream it really serves: anything from broken
 * text to protocol frames with every field hostile, for its own stream or for ids it guessed.
 */
function hostileFrames(streamId: string, guessedIds: string[]): fc.Arbitrary<string[]> {
  const id = fc.oneof(fc.constant(streamId), fc.constantFrom(...guessedIds), hostileString);
  const typed = fc.record(
    {
      type: fc.constantFrom(...FRAME_TYPES),
      id,
      content: hostileJson,
      tool_calls: fc.oneof(hostileJson, fc.array(fc.record({ index: hostileNumber, id: hostileJson, type: hostileJson, function: fc.oneof(hostileJson, fc.record({ name: hostileJson, arguments: hostileJson })) }), { maxLength: 3 })),
      embeddings: fc.oneof(hostileJson, fc.array(fc.array(hostileNumber, { maxLength: 4 }), { maxLength: 3 })),
      finish_reason: fc.oneof(hostileJson, fc.constantFrom('stop', 'length', 'tool_calls', 'content_filter')),
      usage: fc.oneof(hostileJson, fc.record({ prompt_tokens: hostileNumber, completion_tokens: hostileNumber })),
      code: hostileJson,
      message: hostileJson,
      retryable: hostileJson,
      // What a node must never be able to claim.
      region: fc.constantFrom('us', 'cn', 'eu'),
      trust_class: fc.constantFrom('confidential', 'trusted'),
      org_id: hostileString,
      capacity: hostileJson,
      loaded_models: hostileJson,
    },
    { requiredKeys: ['type'] },
  ).map((f) => JSON.stringify(f));
  const broken = fc.oneof(
    fc.constantFrom('', '{', 'null', '[]', '"delta"', '{"type":null}', '\u0000', '{"type":"delta","id":'),
    hostileJson.map((v) => JSON.stringify(v) ?? 'null'),
  );
  return fc.array(fc.oneof({ weight: 5, arbitrary: typed }, { weight: 1, arbitrary: broken }), { minLength: 1, maxLength: 6 });
}

/**
 * A node is not trusted: property-based tests in which an enrolled node of our own (real credential,
 * real tunnel) answers requests with hostile frames. Whatever it sends: the client gets a valid
 * OpenAI response or the node's fault named (502 node_error / 503), never a 5xx of the hub's own;
 * other nodes' requests running at the same time are untouched; the node's region and trust class
 * stay the operator's; and the hub is ready afterwards.
 */
describe('fuzz: tunnel frames from a malicious node', { timeout: fuzzTimeoutMs() }, () => {
  let t: TestHub;
  let evil: TestNode;
  let evilNodeId: string;
  let good: TestNode;
  let evilKey: string;
  let goodKey: string;
  /** The frames the malicious node answers its next request with. */
  let script: (req: RequestMessage) => string[] = () => [];
  /** Per-word delay of the good node's answer: long while a test needs its stream open. */
  let goodDelayMs = 5;

  beforeAll(async () => {
    t = await startTestHub({ HUB_KEY_MAX_CONCURRENCY: '64', HUB_FIRST_BYTE_TIMEOUT_MS: '300', HUB_STREAM_STALL_TIMEOUT_MS: '300' });
    const f = fixtures(t);
    const evilOrg = (await f.org('evil-org')).id;
    const goodOrg = (await f.org('good-org')).id;
    await f.model('m1', { capabilities: ['chat', 'completions'] });
    await f.model('m-embed', { capabilities: ['embeddings'] });
    // Each org's key routes only to its own node: the evil node serves only the evil key.
    evilKey = (await f.key(evilOrg, { fleet: 'own', regions: ['eu'] })).secret;
    goodKey = (await f.key(goodOrg, { fleet: 'own', regions: ['eu'] })).secret;
    const e = await f.onlineNode(evilOrg, 'eu', 'verified', { loadedModels: ['m1', 'm-embed'], behaviour: (req) => ({ kind: 'frames', frames: script(req) }) });
    evil = e.tn;
    evilNodeId = e.node.id;
    ({ tn: good } = await f.onlineNode(goodOrg, 'eu', 'trusted', { loadedModels: ['m1'], behaviour: () => ({ kind: 'reply', text: 'the good answer', tokenDelayMs: goodDelayMs }) }));
  });
  afterAll(async () => {
    await evil.stop();
    await good.stop();
    await t.close();
  });

  /** The hub closes a tunnel on a protocol violation; the node reconnects, as an agent would. */
  const reconnectEvil = async () => {
    if (evil.connected && t.hub.registry.get(evilNodeId)) return;
    await evil.stop();
    await evil.connect();
    await waitFor(() => t.hub.registry.get(evilNodeId) !== undefined, 'malicious node re-registered');
  };

  const requests = [
    { path: '/v1/chat/completions', body: { model: 'm1', messages: [{ role: 'user', content: 'hi' }] }, schema: 'CreateChatCompletionResponse' },
    { path: '/v1/chat/completions', body: { model: 'm1', stream: true, messages: [{ role: 'user', content: 'hi' }] }, schema: 'CreateChatCompletionStreamResponse' },
    { path: '/v1/completions', body: { model: 'm1', prompt: 'hi' }, schema: 'CreateCompletionResponse' },
    { path: '/v1/embeddings', body: { model: 'm-embed', input: ['a', 'b'] }, schema: 'CreateEmbeddingResponse' },
  ] as const;

  /** A streamed 200 is well formed: JSON chunks of the official shape, then an error chunk or [DONE]. */
  const expectWellFormedStream = (text: string, what: string) => {
    const events = sseEvents(text);
    expect(events.length, what).toBeGreaterThan(0);
    const last = events.at(-1);
    for (const e of events.slice(0, -1)) expect(schemaErrors('CreateChatCompletionStreamResponse', e), what).toEqual([]);
    if (last !== '[DONE]') {
      expect(last, what).toMatchObject({ error: { code: 'node_error' } });
    }
  };

  it('whatever a node answers with: a valid response or its fault named, never the hub failing; a concurrent tenant untouched', async () => {
    const guessed = ['req_AAAAAAAAAAAAAAAAAAAAAA.1', 'x', ''];
    const scenario = fc.record({
      request: fc.constantFrom(...requests),
      script: hostileFrames('@ID@', guessed),
      // How the node ends the stream after the hostile frames: properly, with an error, or not at all.
      end: fc.constantFrom('done', 'error', 'silence'),
    });
    await fc.assert(
      fc.asyncProperty(scenario, async ({ request, script: frames, end }) => {
        await reconnectEvil();
        script = (req) => {
          const own = frames.map((f) => f.replaceAll('"@ID@"', JSON.stringify(req.id)));
          if (end === 'done') own.push(JSON.stringify({ type: 'done', id: req.id, finish_reason: 'stop', usage: { prompt_tokens: 1, completion_tokens: 1 } }));
          if (end === 'error') own.push(JSON.stringify({ type: 'error', id: req.id, code: 'engine_error', message: 'broken', retryable: false }));
          return own;
        };
        // A tenant on another node asks at the same time; its answer must be exactly its own.
        const bystander = postJson(`${t.url}/v1/chat/completions`, goodKey, { model: 'm1', messages: [{ role: 'user', content: 'hi' }] });
        const r = await postJson(`${t.url}${request.path}`, evilKey, request.body);
        const what = `${request.path} ${frames.join(' | ').slice(0, 400)} then ${end} → ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`;
        if (r.status === 200) {
          if ('stream' in request.body) expectWellFormedStream(r.body as string, what);
          else expect(schemaErrors(request.schema, r.body), what).toEqual([]);
        } else {
          expect(Object.keys(NODE_FAULTS), what).toContain(String(r.status));
          expect(NODE_FAULTS[r.status], what).toContain((r.body as { error: { code: string } }).error.code);
          expect(schemaErrors('ErrorResponse', r.body), what).toEqual([]);
        }
        const b = await bystander;
        expect(b.status, what).toBe(200);
        expect((b.body as { choices: { message: { content: string } }[] }).choices[0]!.message.content, what).toBe('the good answer');
      }),
      fuzzParams(),
    );
  });

  it('frames for streams a node does not serve, and claims of region or trust, change nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileFrames('@ID@', ['@ID@']), { minLength: 1, maxLength: 3 }), async (batches) => {
        await reconnectEvil();
        // The good node's request is in flight; the malicious node sends frames naming its real stream id.
        goodDelayMs = 80;
        const before = good.requests.length;
        const slow = postJson(`${t.url}/v1/chat/completions`, goodKey, { model: 'm1', messages: [{ role: 'user', content: 'hi' }] });
        await waitFor(() => good.requests.length > before, 'the good request dispatched');
        goodDelayMs = 5;
        const victim = good.requests.at(-1)!.id;
        for (const frames of batches) for (const f of frames) evil.sendRaw(f.replaceAll('"@ID@"', JSON.stringify(victim)));
        const r = await slow;
        expect(r.status).toBe(200);
        expect((r.body as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe('the good answer');
        const { rows } = await t.hub.deps.pool.query('select region, trust_class, org_id from nodes where id = $1', [evilNodeId]);
        expect(rows[0]).toMatchObject({ region: 'eu', trust_class: 'verified' });
      }),
      fuzzParams(0.5),
    );
  });

  it('a frame over the size limit closes only that tunnel', async () => {
    await reconnectEvil();
    evil.sendRaw(JSON.stringify({ type: 'delta', id: 'x', content: 'x'.repeat(17 * 1024 * 1024) }));
    await evil.waitClosed();
    expect(evil.closeCode).toBe(1009);
    const r = await postJson(`${t.url}/v1/chat/completions`, goodKey, { model: 'm1', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.status).toBe(200);
  });

  it('is still ready after the fuzzing, with both nodes able to connect and serve', async () => {
    await reconnectEvil();
    script = (req) => [JSON.stringify({ type: 'delta', id: req.id, content: 'fine' }), JSON.stringify({ type: 'done', id: req.id, finish_reason: 'stop', usage: { prompt_tokens: 1, completion_tokens: 1 } })];
    const r = await postJson(`${t.url}/v1/chat/completions`, evilKey, { model: 'm1', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect((r.body as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe('fine');
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
  });
});
