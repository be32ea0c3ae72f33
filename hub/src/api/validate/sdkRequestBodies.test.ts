import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertMatchesSchema } from '../../../test/openaiSchemas.ts';
import type { DeltaMessage, DoneMessage } from '@porten/shared/protocol';
import { ChatStreamAccumulator, chatCompletionId, embeddingList, sseEvent, SSE_DONE, TextCompletionAccumulator, textCompletionId } from '../format/index.ts';
import { validateChatRequest } from './validateChatRequest.ts';
import { validateCompletionRequest } from './validateCompletionRequest.ts';
import { validateEmbeddingRequest } from './validateEmbeddingRequest.ts';

/**
 * The bodies the official `openai` SDK really sends, captured by a tiny loopback server, must pass
 * our validators. The server answers with our own builders, so the same test proves the SDK parses
 * what the hub sends (stream chunks, merged tool calls, base64 embeddings).
 */

interface Captured {
  path: string;
  body: Record<string, unknown>;
}

const VECTORS = [
  [0.25, -1.5, 3.125],
  [1e-3, 0, -0.75],
];
const DONE: DoneMessage = { type: 'done', id: 'r1', finish_reason: 'stop', usage: { prompt_tokens: 7, completion_tokens: 3 } };

let server: Server;
let client: OpenAI;
const captured: Captured[] = [];

/**
 * The node events our fake engine "produces" for a chat request: tool-call fragments when tools were
 * sent (each call's fragments contiguous, as engines emit them), else text.
 */
function nodeDeltas(body: Record<string, unknown>): DeltaMessage[] {
  if (Array.isArray(body.tools) && body.tools.length > 0) {
    return [
      { type: 'delta', id: 'r1', tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"ci' } }] },
      { type: 'delta', id: 'r1', tool_calls: [{ index: 0, function: { arguments: 'ty":"Bern"}' } }] },
      { type: 'delta', id: 'r1', tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '' } }] },
      { type: 'delta', id: 'r1', tool_calls: [{ index: 1, function: { arguments: '{}' } }] },
    ];
  }
  return [
    { type: 'delta', id: 'r1', content: 'Hello' },
    { type: 'delta', id: 'r1', content: ', world' },
  ];
}

function answerChat(body: Record<string, unknown>, res: ServerResponse): void {
  const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
  const acc = new ChatStreamAccumulator({ id: chatCompletionId(), created: 1_700_000_000, model: String(body.model), includeUsage });
  if (body.stream === true) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const d of nodeDeltas(body)) for (const c of acc.push(d)) res.write(sseEvent(c));
    for (const c of acc.finish(DONE)) res.write(sseEvent(c));
    res.end(SSE_DONE);
    return;
  }
  for (const d of nodeDeltas(body)) acc.push(d);
  sendJson(res, acc.completion(DONE));
}

function answerCompletion(body: Record<string, unknown>, res: ServerResponse): void {
  const acc = new TextCompletionAccumulator({ id: textCompletionId(), created: 1_700_000_000, model: String(body.model) });
  acc.push({ type: 'delta', id: 'r1', content: ' there was a hub.' });
  sendJson(res, acc.completion(DONE));
}

function answerEmbeddings(body: Record<string, unknown>, res: ServerResponse): void {
  const format = body.encoding_format === 'base64' ? 'base64' : 'float';
  sendJson(res, embeddingList({ model: String(body.model), embeddings: VECTORS, prompt_tokens: 4, encoding_format: format }));
}

function sendJson(res: ServerResponse, value: unknown): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
  const path = req.url ?? '';
  captured.push({ path, body });
  if (path === '/v1/chat/completions') answerChat(body, res);
  else if (path === '/v1/completions') answerCompletion(body, res);
  else if (path === '/v1/embeddings') answerEmbeddings(body, res);
  else sendJson(res.writeHead(404), { error: { message: 'no route', type: 'invalid_request_error', code: 'not_found', param: null } });
}

/** The last body the SDK sent to `path`. */
function lastBody(path: string): Record<string, unknown> {
  const found = captured.findLast((c) => c.path === path);
  if (found === undefined) throw new Error(`nothing was sent to ${path}`);
  return found.body;
}

beforeAll(async () => {
  server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'x', maxRetries: 0, timeout: 10_000 });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }, strict: true },
};
const timeTool = { type: 'function' as const, function: { name: 'get_time', parameters: { type: 'object', properties: {} } } };

describe('bodies the official openai SDK sends pass the validators', () => {
  it('chat.completions.create, plain', async () => {
    const completion = await client.chat.completions.create({
      model: 'qwen2.5-7b',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Say hello' },
      ],
      temperature: 0.2,
      max_tokens: 50,
      seed: 42,
      stop: ['\n\n'],
    });
    const req = validateChatRequest(lastBody('/v1/chat/completions'));
    expect(req).toMatchObject({ model: 'qwen2.5-7b', stream: false, params: { temperature: 0.2, max_tokens: 50, seed: 42, stop: ['\n\n'] } });
    expect(completion.choices[0]?.message.content).toBe('Hello, world');
    expect(completion.usage?.total_tokens).toBe(10);
  });

  it('chat.completions.create, streamed with include_usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'qwen2.5-7b',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Say hello' }] }],
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 20,
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(validateChatRequest(lastBody('/v1/chat/completions'))).toMatchObject({ stream: true, include_usage: true, params: { max_tokens: 20 } });
    expect(text).toBe('Hello, world');
    expect(finish).toBe('stop');
    expect(usage).toEqual({ prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 });
  });

  it('chat.completions.create with tools, and the tool-call history of the next turn', async () => {
    const first = await client.chat.completions.create({
      model: 'qwen2.5-7b',
      messages: [{ role: 'user', content: 'Weather and time in Bern?' }],
      tools: [weatherTool, timeTool],
      tool_choice: 'auto',
      parallel_tool_calls: true,
    });
    expect(validateChatRequest(lastBody('/v1/chat/completions'))).toMatchObject({ wants_tools: true, params: { tool_choice: 'auto' } });
    const message = first.choices[0]!.message;
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    expect(message.content).toBeNull();
    expect(message.tool_calls).toEqual([
      { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Bern"}' } },
      { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{}' } },
    ]);

    await client.chat.completions.create({
      model: 'qwen2.5-7b',
      messages: [
        { role: 'user', content: 'Weather and time in Bern?' },
        message,
        { role: 'tool', tool_call_id: 'call_a', content: '12C' },
        { role: 'tool', tool_call_id: 'call_b', content: '10:00' },
      ],
      tools: [weatherTool, timeTool],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    expect(validateChatRequest(lastBody('/v1/chat/completions')).params.messages).toHaveLength(4);
  });

  it('chat.completions.stream with tools: the SDK merges our tool-call chunks', async () => {
    const stream = client.chat.completions.stream({
      model: 'qwen2.5-7b',
      messages: [{ role: 'user', content: 'Weather and time in Bern?' }],
      tools: [weatherTool, timeTool],
      stream_options: { include_usage: true },
    });
    const final = await stream.finalChatCompletion();
    expect(validateChatRequest(lastBody('/v1/chat/completions'))).toMatchObject({ stream: true, include_usage: true, wants_tools: true });
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(final.choices[0]?.message.tool_calls?.map((c) => (c.type === 'function' ? [c.id, c.function.name, c.function.arguments] : null))).toEqual([
      ['call_a', 'get_weather', '{"city":"Bern"}'],
      ['call_b', 'get_time', '{}'],
    ]);
  });

  it('chat.completions.create with a json_schema response_format', async () => {
    await client.chat.completions.create({
      model: 'qwen2.5-7b',
      messages: [{ role: 'user', content: 'Give me a city' }],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'city', strict: true, schema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false } },
      },
    });
    const body = lastBody('/v1/chat/completions');
    assertMatchesSchema('CreateChatCompletionRequest', body);
    expect(validateChatRequest(body)).toMatchObject({ wants_json: true, params: { response_format: body.response_format } });
  });

  it('completions.create', async () => {
    const completion = await client.completions.create({ model: 'qwen2.5-7b', prompt: 'Once upon a time', max_tokens: 16, temperature: 0.7, stop: '.' });
    expect(validateCompletionRequest(lastBody('/v1/completions'))).toStrictEqual({
      model: 'qwen2.5-7b',
      stream: false,
      include_usage: false,
      params: { prompt: 'Once upon a time', max_tokens: 16, temperature: 0.7, stop: ['.'] },
    });
    expect(completion.choices[0]?.text).toBe(' there was a hub.');
  });

  it('embeddings.create: the SDK asks for base64 by default and decodes our little-endian float32', async () => {
    const result = await client.embeddings.create({ model: 'nomic-embed', input: ['a', 'b'] });
    const req = validateEmbeddingRequest(lastBody('/v1/embeddings'));
    expect(req).toStrictEqual({ model: 'nomic-embed', input: ['a', 'b'], encoding_format: 'base64' });
    expect(result.data.map((d) => [...d.embedding])).toEqual(VECTORS.map((v) => [...Float32Array.from(v)]));
  });

  it('embeddings.create with float encoding', async () => {
    const result = await client.embeddings.create({ model: 'nomic-embed', input: 'a', encoding_format: 'float' });
    expect(validateEmbeddingRequest(lastBody('/v1/embeddings'))).toStrictEqual({ model: 'nomic-embed', input: ['a'], encoding_format: 'float' });
    expect(result.data[0]?.embedding).toEqual(VECTORS[0]);
  });
});
