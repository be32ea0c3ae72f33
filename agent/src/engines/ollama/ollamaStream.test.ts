import { describe, expect, it } from 'vitest';
import type { RequestMessage } from '@porten/shared/protocol';
import { silentLogger } from '@porten/shared/log';
import { RecordingSink, rejection } from '../../../test/support/engineTestSupport.ts';
import { relayEmbeddings, relayStream } from '../upstream/streamUpstream.ts';
import { upstreamFailure } from '../upstream/upstreamHttp.ts';
import { canonicalOllamaName, ollamaDialect, ollamaModelNames } from './ollamaDialect.ts';
import { ollamaDecoder } from './ollamaStream.ts';

/**
 * Ollama's answers → what the hub receives. Every input below is a shape documented in Ollama's
 * docs/api.md and docs.ollama.com/api/errors (streamed lines, final line with counts, tool calls,
 * error lines and bodies, /api/tags, /api/embed), fed to the same code the engine runs — tested
 * without a live daemon: there is none on this machine.
 */
const chatReq: RequestMessage = { type: 'request', id: 'r7', kind: 'chat', model: 'llama3.2-3b', params: { messages: [{ role: 'user', content: 'why is the sky blue?' }] } };
const genReq: RequestMessage = { type: 'request', id: 'g1', kind: 'completion', model: 'llama3.2-3b', params: { prompt: 'Why is the sky blue?' } };

const CHAT_LINES = [
  { model: 'llama3.2', created_at: '2023-08-04T08:52:19.385406455-07:00', message: { role: 'assistant', content: 'The', images: null }, done: false },
  { model: 'llama3.2', created_at: '2023-08-04T08:52:19.485406455-07:00', message: { role: 'assistant', content: ' sky' }, done: false },
  { model: 'llama3.2', created_at: '2023-08-04T19:22:45.499127Z', message: { role: 'assistant', content: '' }, done_reason: 'stop', done: true, total_duration: 4883583458, load_duration: 1334875, prompt_eval_count: 26, prompt_eval_duration: 342546000, eval_count: 282, eval_duration: 4535599000 },
];
const TOOL_CALL_LINE = {
  model: 'llama3.2',
  created_at: '2024-07-22T20:33:28.123648Z',
  message: { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_current_weather', arguments: { format: 'celsius', location: 'Paris, FR' } } }] },
  done_reason: 'stop',
  done: true,
  prompt_eval_count: 122,
  eval_count: 33,
};

function ndjson(lines: unknown[], tail = ''): Response {
  return new Response(lines.map((l) => `${JSON.stringify(l)}\n`).join('') + tail, { headers: { 'content-type': 'application/x-ndjson' } });
}

describe('ollama stream decoding', () => {
  it('chat lines → content deltas; the final line → finish reason and Ollama’s own token counts', () => {
    const decode = ollamaDecoder(chatReq);
    expect(CHAT_LINES.map((l) => decode(JSON.stringify(l)))).toEqual([
      { content: 'The' },
      { content: ' sky' },
      { end: true, finish: 'stop', usage: { prompt_tokens: 26, completion_tokens: 282 } },
    ]);
  });

  it('a tool call → one OpenAI tool-call delta (arguments as a JSON string, an id, its own index); the response finishes with tool_calls', () => {
    const decode = ollamaDecoder(chatReq);
    expect(decode(JSON.stringify(TOOL_CALL_LINE))).toEqual({
      tool_calls: [{ index: 0, id: 'call_r7_0', type: 'function', function: { name: 'get_current_weather', arguments: '{"format":"celsius","location":"Paris, FR"}' } }],
      end: true,
      finish: 'tool_calls',
      usage: { prompt_tokens: 122, completion_tokens: 33 },
    });
    // Calls streamed on separate lines keep counting; an id Ollama gives is kept.
    const streamed = ollamaDecoder(chatReq);
    streamed(JSON.stringify({ message: { role: 'assistant', content: '', tool_calls: [{ function: { name: 'a', arguments: {} } }] }, done: false }));
    expect(streamed(JSON.stringify({ message: { role: 'assistant', content: '', tool_calls: [{ id: 'call_x', function: { index: 1, name: 'b', arguments: { n: 1 } } }] }, done: false })).tool_calls).toEqual([
      { index: 1, id: 'call_x', type: 'function', function: { name: 'b', arguments: '{"n":1}' } },
    ]);
  });

  it('generate lines carry `response`; done_reason length → length, load → stop; no counts → no usage (the relay estimates)', () => {
    const decode = ollamaDecoder(genReq);
    expect(decode('{"model":"llama3.2","created_at":"2023-08-04T08:52:19.385406455-07:00","response":"The","done":false}')).toEqual({ content: 'The' });
    expect(decode('{"model":"llama3.2","response":"","done":true,"done_reason":"length","prompt_eval_count":26,"eval_count":100}')).toEqual({
      end: true,
      finish: 'length',
      usage: { prompt_tokens: 26, completion_tokens: 100 },
    });
    expect(ollamaDecoder(genReq)('{"model":"llama3.2","created_at":"2023-12-18T19:52:07.071755Z","response":"","done":true,"done_reason":"load"}')).toEqual({ end: true, finish: 'stop' });
  });

  it('an error line mid-stream is a failure; a line that is not JSON throws SyntaxError', () => {
    const decode = ollamaDecoder(genReq);
    expect(decode('{"error":"an error was encountered while running the model"}')).toEqual({ error: 'an error was encountered while running the model' });
    expect(() => decode('{"response":')).toThrow(SyntaxError);
  });
});

describe('ollama streams relayed to the hub (documented NDJSON through the engine’s relay)', () => {
  it('delivers deltas in order, then done with the counts', async () => {
    const sink = new RecordingSink();
    await relayStream(ollamaDialect, chatReq, ndjson(CHAT_LINES), sink, new AbortController().signal, silentLogger);
    expect(sink.deltas).toEqual([{ content: 'The' }, { content: ' sky' }]);
    expect(sink.finished).toEqual({ finish: 'stop', usage: { prompt_tokens: 26, completion_tokens: 282 } });
  });

  it('a tool call reaches the hub as a tool-call delta and finish tool_calls', async () => {
    const sink = new RecordingSink();
    await relayStream(ollamaDialect, chatReq, ndjson([TOOL_CALL_LINE]), sink, new AbortController().signal, silentLogger);
    expect(sink.deltas).toEqual([{ tool_calls: [expect.objectContaining({ index: 0, function: { name: 'get_current_weather', arguments: '{"format":"celsius","location":"Paris, FR"}' } })] }]);
    expect(sink.finished?.finish).toBe('tool_calls');
  });

  it('an error line after output: upstream_error, not retryable, in these words; before output: retryable', async () => {
    const sink = new RecordingSink();
    const err = await rejection(relayStream(ollamaDialect, genReq, ndjson([{ response: ' Yes', done: false }, { error: 'an error was encountered while running the model' }]), sink, new AbortController().signal, silentLogger));
    expect(err).toMatchObject({ code: 'upstream_error', retryable: false, message: 'the Ollama daemon failed mid-stream: an error was encountered while running the model' });
    expect(sink.text).toBe(' Yes');
    expect(sink.finished).toBeUndefined();

    const early = await rejection(relayStream(ollamaDialect, genReq, ndjson([{ error: 'model requires more system memory' }]), new RecordingSink(), new AbortController().signal, silentLogger));
    expect(early).toMatchObject({ code: 'upstream_error', retryable: true });
  });

  it('a stream that ends without `done: true` is a failure, not a silent stop', async () => {
    const err = await rejection(relayStream(ollamaDialect, genReq, ndjson([{ response: 'The', done: false }]), new RecordingSink(), new AbortController().signal, silentLogger));
    expect(err).toMatchObject({ code: 'upstream_error', retryable: false, message: 'the Ollama daemon ended its stream before finishing the response' });
  });

  it('embeddings: one vector per input, prompt tokens from prompt_eval_count', async () => {
    const sink = new RecordingSink();
    const body = { model: 'all-minilm', embeddings: [[0.010071029, -0.0017594862], [-0.0098027075, 0.06042469]], total_duration: 14143917, load_duration: 1019500, prompt_eval_count: 8 };
    await relayEmbeddings(ollamaDialect, 2, new Response(JSON.stringify(body)), sink, new AbortController().signal);
    expect(sink.embeddings).toEqual(body.embeddings);
    expect(sink.finished).toEqual({ finish: 'stop', usage: { prompt_tokens: 8, completion_tokens: 0 } });
    const short = await rejection(relayEmbeddings(ollamaDialect, 3, new Response(JSON.stringify(body)), new RecordingSink(), new AbortController().signal));
    expect(short.message).toBe('the Ollama daemon returned 2 embeddings for 3 inputs, or vectors that are not numbers');
  });
});

describe('ollama error answers → AgentError codes', () => {
  const failure = (status: number, body: string) => {
    const e = upstreamFailure(ollamaDialect.texts, 'POST /api/chat', status, body);
    return { code: e.code, retryable: e.retryable, message: e.message };
  };

  it('404 model not found → model_not_served (retryable: another node may have it)', () => {
    expect(failure(404, '{"error":"model \'llama3.2\' not found"}')).toEqual({ code: 'model_not_served', retryable: true, message: "the Ollama daemon answered 404 to POST /api/chat: model 'llama3.2' not found" });
  });

  it('400 bad request → invalid_request with Ollama’s message (the client gets 400)', () => {
    expect(failure(400, '{"error":"llama3.2 does not support tools"}')).toEqual({ code: 'invalid_request', retryable: false, message: 'llama3.2 does not support tools' });
    expect(failure(400, '{"error":"missing request body"}').message).toBe('missing request body');
  });

  it('500, 502, 429 → upstream_error, retryable (nothing was produced)', () => {
    expect(failure(500, '{"error":"the model failed to generate a response"}')).toEqual({ code: 'upstream_error', retryable: true, message: 'the Ollama daemon answered 500 to POST /api/chat: the model failed to generate a response' });
    expect(failure(502, 'Bad Gateway')).toMatchObject({ code: 'upstream_error', retryable: true, message: 'the Ollama daemon answered 502 to POST /api/chat: Bad Gateway' });
    expect(failure(429, '')).toMatchObject({ code: 'upstream_error', retryable: true, message: 'the Ollama daemon answered 429 to POST /api/chat' });
  });
});

describe('ollama model discovery (GET /api/tags)', () => {
  it('lists the documented names; an allow-list name without a tag matches :latest', () => {
    const tags = {
      models: [
        { name: 'codellama:13b', modified_at: '2023-11-04T14:56:49.277302595-07:00', size: 7365960935, digest: '9f43', details: { format: 'gguf', family: 'llama' } },
        { name: 'llama3:latest', modified_at: '2023-12-07T09:32:18.757212583-08:00', size: 3825819519, digest: 'fe93', details: { format: 'gguf', family: 'llama' } },
      ],
    };
    const listed = new Set(ollamaModelNames(tags).map(canonicalOllamaName));
    expect([...listed]).toEqual(['codellama:13b', 'llama3:latest']);
    expect(['llama3', 'llama3:latest', 'codellama:13b', 'codellama', 'mistral'].map((n) => listed.has(canonicalOllamaName(n)))).toEqual([true, true, true, false, false]);
    expect(canonicalOllamaName('registry.lan:5000/team/model')).toBe('registry.lan:5000/team/model:latest');
    expect(() => ollamaModelNames({ error: 'x' })).toThrow('GET /api/tags did not return a `models` list');
  });
});
