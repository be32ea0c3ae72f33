import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures } from '../../test/support/fixtures.ts';
import { assertMatchesSchema } from '../../test/openaiSchemas.ts';
import { startTestHub, type TestHub } from '../../test/support/testHub.ts';
import type { TestNode } from '../../test/support/testNode.ts';

/**
 * The official `openai` npm SDK pointed at the hub: what application developers do. Bodies, chunks
 * and errors are also checked against the official OpenAI component schemas.
 */
describe('official openai SDK against the hub', () => {
  let t: TestHub;
  let tn: TestNode;
  let client: OpenAI;
  let nodeId: string;

  beforeAll(async () => {
    t = await startTestHub();
    const f = fixtures(t);
    const org = (await f.org('sdk-org')).id;
    await f.model('m1', { capabilities: ['chat', 'completions', 'embeddings'] });
    await f.model('not-here', { memory_mb: 999_999 });
    const key = await f.key(org, { fleet: 'own', regions: ['eu'] });
    const n = await f.onlineNode(org, 'eu', 'trusted', { loadedModels: ['m1'], behaviour: () => ({ kind: 'reply', text: 'sovereign tokens only' }) });
    tn = n.tn;
    nodeId = n.node.id;
    client = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: key.secret, maxRetries: 0 });
  });
  afterAll(async () => {
    await tn.stop();
    await t.close();
  });

  it('non-streaming chat completion, with the serving node in the headers', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: 'm1', messages: [{ role: 'user', content: 'hi' }], max_tokens: 16, temperature: 0.2, seed: 7, stop: ['\n'] })
      .withResponse();
    assertMatchesSchema('CreateChatCompletionResponse', data);
    expect(data.id).toMatch(/^chatcmpl-porten-/);
    expect(data.choices[0]!.message.content).toBe('sovereign tokens only');
    expect(data.choices[0]!.finish_reason).toBe('stop');
    expect(data.usage).toEqual({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
    expect(response.headers.get('x-porten-node')).toBe(nodeId);
    expect(response.headers.get('x-porten-region')).toBe('eu');
    expect(Number(response.headers.get('x-porten-hub-ms'))).toBeGreaterThanOrEqual(0);
    const sent = tn.requests.at(-1)!;
    expect(sent.kind).toBe('chat');
    expect(sent.params).toMatchObject({ max_tokens: 16, temperature: 0.2, seed: 7, stop: ['\n'] });
  });

  it('streaming chat completion with include_usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'm1',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    const chunks = [];
    for await (const chunk of stream) {
      assertMatchesSchema('CreateChatCompletionStreamResponse', chunk);
      chunks.push(chunk);
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(text).toBe('sovereign tokens only');
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.at(-1)!.choices).toEqual([]);
    expect(chunks.at(-1)!.usage).toEqual({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
  });

  it('legacy completions and embeddings', async () => {
    const c = await client.completions.create({ model: 'm1', prompt: 'Once', max_tokens: 5 });
    assertMatchesSchema('CreateCompletionResponse', c);
    expect(c.choices[0]!.text).toBe('sovereign tokens only');
    const e = await client.embeddings.create({ model: 'm1', input: ['ab', 'abcd'] });
    assertMatchesSchema('CreateEmbeddingResponse', e);
    expect(e.data.map((d) => d.embedding[0])).toEqual([2, 4]); // the test node encodes the input length
  });

  it('lists the catalog models this key may use', async () => {
    const list = await client.models.list();
    const ids = list.data.map((m) => m.id).sort();
    expect(ids).toEqual(['m1', 'not-here']);
    const m = await client.models.retrieve('m1');
    assertMatchesSchema('Model', m);
  });

  it('surfaces refusals as APIError with the right status and code', async () => {
    const cases: [() => Promise<unknown>, number, string][] = [
      [() => client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }), 404, 'model_not_found'],
      [() => client.chat.completions.create({ model: 'not-here', messages: [{ role: 'user', content: 'x' }] }), 503, 'no_available_node'],
      [() => new OpenAI({ baseURL: `${t.url}/v1`, apiKey: 'sk-porten-wrong', maxRetries: 0 }).models.list(), 401, 'invalid_api_key'],
      [() => client.chat.completions.create({ model: 'm1', messages: [{ role: 'user', content: 'x' }], temperature: 9 }), 400, 'invalid_request_error'],
    ];
    for (const [call, status, code] of cases) {
      const err = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(OpenAI.APIError);
      expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(status);
      expect((err as InstanceType<typeof OpenAI.APIError>).code).toBe(code);
      assertMatchesSchema('ErrorResponse', { error: (err as InstanceType<typeof OpenAI.APIError>).error });
    }
  });

  it('surfaces a stream that fails after the first byte as an error in the iterator', async () => {
    tn.requests.length = 0;
    const n = await fixtures(t).onlineNode((await fixtures(t).org('sdk-mid')).id, 'eu', 'trusted', {
      loadedModels: ['m1'],
      behaviour: () => ({ kind: 'die_after_first_byte', text: 'half ' }),
    });
    const key = await fixtures(t).key((await t.hub.deps.pool.query('select org_id from nodes where id = $1', [n.node.id])).rows[0].org_id, { fleet: 'own' });
    const c = new OpenAI({ baseURL: `${t.url}/v1`, apiKey: key.secret, maxRetries: 0 });
    const stream = await c.chat.completions.create({ model: 'm1', messages: [{ role: 'user', content: 'x' }], stream: true });
    let text = '';
    const failure = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(text).toBe('half ');
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    expect(String((failure as Error).message)).toMatch(/the node disconnected mid-response/);
    await n.tn.stop();
  });
});
