import { describe, expect, it } from 'vitest';
import { assertMatchesSchema } from '../../../test/openaiSchemas.ts';
import { chatCompletion } from './chatCompletion.ts';

const meta = { id: 'chatcmpl-porten-abc', created: 1_700_000_000, model: 'qwen2.5-7b' };
const usage = { prompt_tokens: 12, completion_tokens: 5 };

describe('chatCompletion', () => {
  it('builds an official CreateChatCompletionResponse with usage totals', () => {
    const body = chatCompletion({ ...meta, content: 'Hello!', finish_reason: 'stop', usage });
    assertMatchesSchema('CreateChatCompletionResponse', body);
    expect(body).toStrictEqual({
      id: 'chatcmpl-porten-abc',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'qwen2.5-7b',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello!', refusal: null }, logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
    });
  });

  it('sets content to null when the answer is tool calls', () => {
    const toolCalls = [{ id: 'call_1', type: 'function' as const, function: { name: 'get_weather', arguments: '{"city":"Bern"}' } }];
    const body = chatCompletion({ ...meta, content: '', tool_calls: toolCalls, finish_reason: 'tool_calls', usage });
    assertMatchesSchema('CreateChatCompletionResponse', body);
    expect(body.choices[0].message).toStrictEqual({ role: 'assistant', content: null, refusal: null, tool_calls: toolCalls });
  });

  it('leaves tool_calls out when the list is empty, and keeps an empty answer as ""', () => {
    const body = chatCompletion({ ...meta, content: '', tool_calls: [], finish_reason: 'length', usage });
    assertMatchesSchema('CreateChatCompletionResponse', body);
    expect(body.choices[0].message).toStrictEqual({ role: 'assistant', content: '', refusal: null });
  });
});
