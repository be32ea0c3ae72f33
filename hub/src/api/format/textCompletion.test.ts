import { describe, expect, it } from 'vitest';
import { assertMatchesSchema, schemaErrors } from '../../../test/openaiSchemas.ts';
import type { DoneMessage } from '@porten/shared/protocol';
import { textCompletion, textCompletionChunk, textUsageChunk } from './textCompletion.ts';
import { TextCompletionAccumulator } from './textCompletionAccumulator.ts';

const meta = { id: 'cmpl-porten-abc', created: 1_700_000_000, model: 'qwen2.5-7b' };
const done: DoneMessage = { type: 'done', id: 'r', finish_reason: 'length', usage: { prompt_tokens: 5, completion_tokens: 16 } };

describe('textCompletion', () => {
  it('builds an official CreateCompletionResponse', () => {
    const body = textCompletion({ ...meta, text: ' there was a hub.', finish_reason: 'stop', usage: done.usage });
    assertMatchesSchema('CreateCompletionResponse', body);
    expect(body).toStrictEqual({
      id: 'cmpl-porten-abc',
      object: 'text_completion',
      created: 1_700_000_000,
      model: 'qwen2.5-7b',
      choices: [{ index: 0, text: ' there was a hub.', logprobs: null, finish_reason: 'stop' }],
      usage: { prompt_tokens: 5, completion_tokens: 16, total_tokens: 21 },
    });
  });

  it("reports a node's 'tool_calls' as 'stop' (legacy completions have no tools)", () => {
    const body = textCompletion({ ...meta, text: '', finish_reason: 'tool_calls', usage: done.usage });
    assertMatchesSchema('CreateCompletionResponse', body);
    expect(body.choices[0]?.finish_reason).toBe('stop');
  });

  it('builds the last stream chunk and the usage chunk as official CreateCompletionResponse objects', () => {
    assertMatchesSchema('CreateCompletionResponse', textCompletionChunk({ ...meta, text: '', finish_reason: 'stop' }));
    assertMatchesSchema('CreateCompletionResponse', textUsageChunk({ ...meta, usage: done.usage }));
  });

  it('sends finish_reason null before the last chunk, as the live API does; the schema differs only there', () => {
    const chunk = textCompletionChunk({ ...meta, text: 'Once', finish_reason: null });
    expect(chunk.choices[0]?.finish_reason).toBeNull();
    expect(schemaErrors('CreateCompletionResponse', chunk).every((e) => e.startsWith('/choices/0/finish_reason '))).toBe(true);
    assertMatchesSchema('CreateCompletionResponse', { ...chunk, choices: [{ ...chunk.choices[0], finish_reason: 'stop' }] });
  });
});

describe('TextCompletionAccumulator', () => {
  it('streams one chunk per text delta, then the finish chunk and the usage chunk when asked', () => {
    const acc = new TextCompletionAccumulator({ ...meta, includeUsage: true });
    const chunks = [...acc.push({ type: 'delta', id: 'r', content: 'Once' }), ...acc.push({ type: 'delta', id: 'r', content: '' }), ...acc.push({ type: 'delta', id: 'r', content: ' upon' }), ...acc.finish(done)];
    expect(chunks.map((c) => [c.choices[0]?.text, c.choices[0]?.finish_reason])).toEqual([['Once', null], [' upon', null], ['', 'length'], [undefined, undefined]]);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: 21 } });
    for (const c of chunks.slice(2)) assertMatchesSchema('CreateCompletionResponse', c);
  });

  it('joins the text into one completion when not streaming', () => {
    const acc = new TextCompletionAccumulator(meta);
    acc.push({ type: 'delta', id: 'r', content: 'Once' });
    acc.push({ type: 'delta', id: 'r', content: ' upon' });
    const body = acc.completion(done);
    assertMatchesSchema('CreateCompletionResponse', body);
    expect(body.choices[0]).toStrictEqual({ index: 0, text: 'Once upon', logprobs: null, finish_reason: 'length' });
    expect(acc.finish(done)).toHaveLength(1);
  });
});
