import { describe, expect, it } from 'vitest';
import { assertMatchesSchema } from '../../../test/openaiSchemas.ts';
import type { DeltaMessage, DoneMessage, ToolCallDelta } from '@porten/shared/protocol';
import { ChatStreamAccumulator } from './chatStreamAccumulator.ts';
import type { ChatCompletionChunk } from './types.ts';

const meta = { id: 'chatcmpl-porten-abc', created: 1_700_000_000, model: 'qwen2.5-7b' };
const done = (finish_reason: DoneMessage['finish_reason'] = 'stop'): DoneMessage => ({ type: 'done', id: 'r', finish_reason, usage: { prompt_tokens: 9, completion_tokens: 4 } });
const text = (content: string): DeltaMessage => ({ type: 'delta', id: 'r', content });
const tools = (...tool_calls: ToolCallDelta[]): DeltaMessage => ({ type: 'delta', id: 'r', tool_calls });

/** Feeds `deltas` and returns every chunk a stream would carry, each checked against the official schema. */
function streamOf(acc: ChatStreamAccumulator, deltas: DeltaMessage[], end: DoneMessage): ChatCompletionChunk[] {
  const chunks = [...deltas.flatMap((d) => acc.push(d)), ...acc.finish(end)];
  for (const c of chunks) assertMatchesSchema('CreateChatCompletionStreamResponse', c);
  return chunks;
}

describe('ChatStreamAccumulator, streamed', () => {
  it('puts the assistant role on the first chunk only and ends with an empty delta and the finish reason', () => {
    const chunks = streamOf(new ChatStreamAccumulator(meta), [text('Hel'), text('lo')], done());
    expect(chunks.map((c) => c.choices[0]?.delta)).toEqual([{ role: 'assistant', content: 'Hel' }, { content: 'lo' }, {}]);
    expect(chunks.map((c) => c.choices[0]?.finish_reason)).toEqual([null, null, 'stop']);
    expect(new Set(chunks.map((c) => c.id))).toEqual(new Set([meta.id]));
  });

  it('sends no chunk for an empty delta', () => {
    const acc = new ChatStreamAccumulator(meta);
    expect(acc.push(text(''))).toEqual([]);
    expect(acc.push({ type: 'delta', id: 'r' })).toEqual([]);
    expect(acc.push(tools())).toEqual([]);
  });

  it('still names the role when the node produced nothing before done', () => {
    const chunks = streamOf(new ChatStreamAccumulator(meta), [], done('length'));
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.choices[0]).toMatchObject({ delta: { role: 'assistant' }, finish_reason: 'length' });
  });

  it('adds the usage chunk only when asked', () => {
    expect(streamOf(new ChatStreamAccumulator(meta), [text('a')], done())).toHaveLength(2);
    const withUsage = streamOf(new ChatStreamAccumulator({ ...meta, includeUsage: true }), [text('a')], done());
    expect(withUsage).toHaveLength(3);
    expect(withUsage.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 } });
  });

  it('announces each tool call once (id, type, name) and then streams only its argument text', () => {
    const chunks = streamOf(
      new ChatStreamAccumulator(meta),
      [
        tools({ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }),
        tools({ index: 0, function: { arguments: '{"city":' } }),
        tools({ index: 0, id: 'call_a', function: { name: 'get_weather', arguments: '"Bern"}' } }),
      ],
      done('tool_calls'),
    );
    expect(chunks.map((c) => c.choices[0]?.delta.tool_calls)).toEqual([
      [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }],
      [{ index: 0, function: { arguments: '{"city":' } }],
      [{ index: 0, function: { arguments: '"Bern"}' } }],
      undefined,
    ]);
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
  });

  it('gives a tool call an id when the node sent none, the same in the stream and the completion', () => {
    const acc = new ChatStreamAccumulator(meta);
    const [chunk] = acc.push(tools({ index: 0, function: { name: 'f', arguments: '{}' } }));
    const id = chunk?.choices[0]?.delta.tool_calls?.[0]?.id;
    expect(id).toBe('call_porten-abc_0');
    expect(acc.completion(done('tool_calls')).choices[0].message.tool_calls?.[0]?.id).toBe(id);
  });

  it("reports 'tool_calls' when the node produced tool calls but said 'stop'", () => {
    const acc = new ChatStreamAccumulator(meta);
    acc.push(tools({ index: 0, id: 'c', function: { name: 'f', arguments: '{}' } }));
    expect(acc.finish(done('stop'))[0]?.choices[0]?.finish_reason).toBe('tool_calls');
    expect(acc.completion(done('stop')).choices[0].finish_reason).toBe('tool_calls');
    expect(acc.completion(done('length')).choices[0].finish_reason).toBe('length');
  });
});

describe('ChatStreamAccumulator, non-streamed', () => {
  it('joins the content into one official chat completion', () => {
    const acc = new ChatStreamAccumulator(meta);
    for (const d of [text('Hello'), text(', '), text('world')]) acc.push(d);
    const body = acc.completion(done());
    assertMatchesSchema('CreateChatCompletionResponse', body);
    expect(body.choices[0]).toStrictEqual({ index: 0, message: { role: 'assistant', content: 'Hello, world', refusal: null }, logprobs: null, finish_reason: 'stop' });
    expect(body.usage).toEqual({ prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 });
  });

  it('merges tool-call argument fragments by index, whatever order they arrive in, and lists calls by index', () => {
    const acc = new ChatStreamAccumulator(meta);
    const fragments = [
      tools({ index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{"tz":' } }),
      tools({ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather' } }),
      tools({ index: 0, function: { arguments: '{"ci' } }, { index: 1, function: { arguments: '"CET"}' } }),
      text(''),
      tools({ index: 0, function: { arguments: 'ty":"Bern"}' } }),
      tools({ index: 2, id: 'call_c', function: { name: 'noop', arguments: '{}' } }),
    ];
    for (const f of fragments) acc.push(f);
    const body = acc.completion(done('tool_calls'));
    assertMatchesSchema('CreateChatCompletionResponse', body);
    expect(body.choices[0].message).toStrictEqual({
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [
        { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Bern"}' } },
        { id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '{"tz":"CET"}' } },
        { id: 'call_c', type: 'function', function: { name: 'noop', arguments: '{}' } },
      ],
    });
    expect(body.choices[0].finish_reason).toBe('tool_calls');
  });

  it('keeps the first name a tool call was given', () => {
    const acc = new ChatStreamAccumulator(meta);
    acc.push(tools({ index: 0, id: 'c', function: { name: 'first' } }));
    expect(acc.push(tools({ index: 0, function: { name: 'second', arguments: '{}' } }))[0]?.choices[0]?.delta.tool_calls).toEqual([{ index: 0, function: { arguments: '{}' } }]);
    expect(acc.completion(done()).choices[0].message.tool_calls?.[0]?.function.name).toBe('first');
  });
});
