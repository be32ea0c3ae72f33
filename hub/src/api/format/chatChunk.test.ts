import { describe, expect, it } from 'vitest';
import { assertMatchesSchema } from '../../../test/openaiSchemas.ts';
import { chatChunk, chatUsageChunk } from './chatChunk.ts';

const meta = { id: 'chatcmpl-porten-abc', created: 1_700_000_000, model: 'qwen2.5-7b' };

describe('chatChunk / chatUsageChunk', () => {
  it('builds official CreateChatCompletionStreamResponse chunks', () => {
    const chunks = [
      chatChunk({ ...meta, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null }),
      chatChunk({ ...meta, delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } }] }, finish_reason: null }),
      chatChunk({ ...meta, delta: {}, finish_reason: 'stop' }),
    ];
    for (const c of chunks) assertMatchesSchema('CreateChatCompletionStreamResponse', c);
    expect(chunks[0]).toStrictEqual({
      id: 'chatcmpl-porten-abc',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model: 'qwen2.5-7b',
      choices: [{ index: 0, delta: { role: 'assistant', content: 'Hel' }, logprobs: null, finish_reason: null }],
    });
  });

  it('builds the include_usage chunk: no choices, the usage with its total', () => {
    const chunk = chatUsageChunk({ ...meta, usage: { prompt_tokens: 3, completion_tokens: 4 } });
    assertMatchesSchema('CreateChatCompletionStreamResponse', chunk);
    expect(chunk.choices).toEqual([]);
    expect(chunk.usage).toEqual({ prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 });
  });
});
