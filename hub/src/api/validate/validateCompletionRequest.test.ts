import { describe, expect, it } from 'vitest';
import { rejectionOf } from './rejectionOf.ts';
import { COMPLETION_REQUEST_FIELDS, validateCompletionRequest } from './validateCompletionRequest.ts';

const base = { model: 'qwen2.5-7b', prompt: 'Once upon a time' };
const withFields = (fields: Record<string, unknown>) => ({ ...base, ...fields });

describe('validateCompletionRequest rejects bad bodies with the exact param', () => {
  const cases: Array<[string, unknown, string, string?]> = [
    ['a body that is an array', [base], 'body'],
    ['an unknown field', withFields({ messages: [] }), 'messages', 'Unrecognized request argument supplied: messages'],
    ['a missing model', { prompt: 'x' }, 'model'],
    ['a missing prompt', { model: 'm' }, 'prompt', 'prompt is required'],
    ['a null prompt', withFields({ prompt: null }), 'prompt'],
    ['a numeric prompt', withFields({ prompt: 42 }), 'prompt', 'prompt must be a string'],
    ['a token-id prompt', withFields({ prompt: [1, 2, 3] }), 'prompt', 'token-id prompts are not supported'],
    ['a batch of token-id prompts', withFields({ prompt: [[1, 2], [3]] }), 'prompt', 'token-id prompts are not supported'],
    ['a batch of prompts', withFields({ prompt: ['a', 'b'] }), 'prompt', 'batched prompts are not supported'],
    ['an empty prompt array', withFields({ prompt: [] }), 'prompt'],
    ['a prompt array holding an object', withFields({ prompt: [{ text: 'a' }] }), 'prompt[0]'],
    ['max_tokens of 0', withFields({ max_tokens: 0 }), 'max_tokens'],
    ['temperature above 2', withFields({ temperature: 2.5 }), 'temperature', 'temperature must be a number between 0 and 2'],
    ['top_p as a string', withFields({ top_p: '1' }), 'top_p'],
    ['n of 3', withFields({ n: 3 }), 'n', 'n must be 1'],
    ['best_of of 2', withFields({ best_of: 2 }), 'best_of'],
    ['six stop sequences', withFields({ stop: ['1', '2', '3', '4', '5', '6'] }), 'stop'],
    ['a fractional seed', withFields({ seed: 0.5 }), 'seed'],
    ['echo true', withFields({ echo: true }), 'echo', 'not supported'],
    ['echo as a string', withFields({ echo: 'no' }), 'echo'],
    ['logprobs of 0', withFields({ logprobs: 0 }), 'logprobs', 'not supported'],
    ['logprobs as a string', withFields({ logprobs: 'x' }), 'logprobs'],
    ['a suffix', withFields({ suffix: '}' }), 'suffix', 'not supported'],
    ['a logit bias', withFields({ logit_bias: { '1': 5 } }), 'logit_bias'],
    ['include_usage as a number', withFields({ stream: true, stream_options: { include_usage: 1 } }), 'stream_options.include_usage'],
    ['a numeric user', withFields({ user: 1 }), 'user'],
    ['presence_penalty above 2', withFields({ presence_penalty: 2.1 }), 'presence_penalty'],
  ];

  it.each(cases)('%s → 400 param %s', (_what, body, param, message) => {
    const r = rejectionOf(validateCompletionRequest, body);
    expect(r).toMatchObject({ status: 400, code: 'invalid_request_error', param });
    if (message !== undefined) expect(r?.message).toContain(message);
  });
});

describe('validateCompletionRequest normalises what it accepts', () => {
  it('returns the minimal request with nothing invented (no default max_tokens)', () => {
    expect(validateCompletionRequest(base)).toStrictEqual({ model: 'qwen2.5-7b', stream: false, include_usage: false, params: { prompt: 'Once upon a time' } });
  });

  it('takes a one-string prompt array and passes sampling settings with stop as an array', () => {
    const req = validateCompletionRequest(withFields({ prompt: ['def f():'], max_tokens: 64, temperature: 0.2, top_p: 0.9, stop: '\n\n', seed: 3, presence_penalty: 0.5, frequency_penalty: -0.5, stream: true, stream_options: { include_usage: true } }));
    expect(req).toStrictEqual({
      model: 'qwen2.5-7b',
      stream: true,
      include_usage: true,
      params: { prompt: 'def f():', max_tokens: 64, temperature: 0.2, top_p: 0.9, stop: ['\n\n'], seed: 3, presence_penalty: 0.5, frequency_penalty: -0.5 },
    });
  });

  it('accepts the neutral values of what it does not implement, and null for every optional field', () => {
    expect(validateCompletionRequest(withFields({ echo: false, logprobs: null, suffix: null, best_of: 1, n: 1, logit_bias: {}, user: 'u' })).params).toStrictEqual({ prompt: base.prompt });
    const nulls = Object.fromEntries([...COMPLETION_REQUEST_FIELDS].filter((f) => f !== 'model' && f !== 'prompt').map((f) => [f, null]));
    expect(validateCompletionRequest(withFields(nulls)).params).toStrictEqual({ prompt: base.prompt });
  });

  it('accepts an empty prompt (the engine completes from nothing)', () => {
    expect(validateCompletionRequest(withFields({ prompt: '' })).params.prompt).toBe('');
  });
});
