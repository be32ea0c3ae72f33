import { describe, expect, it } from 'vitest';
import { rejectionOf } from './rejectionOf.ts';
import { MAX_EMBEDDING_INPUTS, validateEmbeddingRequest } from './validateEmbeddingRequest.ts';

const base = { model: 'nomic-embed', input: 'sovereign inference' };
const withFields = (fields: Record<string, unknown>) => ({ ...base, ...fields });

describe('validateEmbeddingRequest rejects bad bodies with the exact param', () => {
  const cases: Array<[string, unknown, string, string?]> = [
    ['a body that is a string', 'text', 'body'],
    ['an unknown field', withFields({ prompt: 'x' }), 'prompt', 'Unrecognized request argument supplied: prompt'],
    ['a missing model', { input: 'x' }, 'model'],
    ['a missing input', { model: 'm' }, 'input', 'input is required'],
    ['an empty string', withFields({ input: '' }), 'input', 'must not be an empty string'],
    ['an empty array', withFields({ input: [] }), 'input', 'must not be an empty array'],
    ['a numeric input', withFields({ input: 7 }), 'input'],
    ['token ids', withFields({ input: [101, 2023, 102] }), 'input', 'token-id inputs are not supported'],
    ['a batch of token ids', withFields({ input: [[101, 102], [103]] }), 'input[0]', 'token-id inputs are not supported'],
    ['a number among strings', withFields({ input: ['a', 5] }), 'input[1]'],
    ['an empty string among strings', withFields({ input: ['a', 'b', ''] }), 'input[2]'],
    ['too many inputs', withFields({ input: Array.from({ length: MAX_EMBEDDING_INPUTS + 1 }, () => 'x') }), 'input', `at most ${MAX_EMBEDDING_INPUTS}`],
    ['an unknown encoding', withFields({ encoding_format: 'int8' }), 'encoding_format', "must be one of 'float', 'base64'"],
    ['dimensions', withFields({ dimensions: 256 }), 'dimensions', 'not supported'],
    ['dimensions as a string', withFields({ dimensions: '256' }), 'dimensions'],
    ['a numeric user', withFields({ user: 1 }), 'user'],
  ];

  it.each(cases)('%s → 400 param %s', (_what, body, param, message) => {
    const r = rejectionOf(validateEmbeddingRequest, body);
    expect(r).toMatchObject({ status: 400, code: 'invalid_request_error', param });
    if (message !== undefined) expect(r?.message).toContain(message);
  });
});

describe('validateEmbeddingRequest normalises what it accepts', () => {
  it('returns input as an array and float encoding by default', () => {
    expect(validateEmbeddingRequest(base)).toStrictEqual({ model: 'nomic-embed', input: ['sovereign inference'], encoding_format: 'float' });
  });

  it('keeps the input order and the requested encoding', () => {
    expect(validateEmbeddingRequest(withFields({ input: ['b', 'a'], encoding_format: 'base64', user: 'u', dimensions: null }))).toStrictEqual({ model: 'nomic-embed', input: ['b', 'a'], encoding_format: 'base64' });
  });

  it(`accepts exactly ${MAX_EMBEDDING_INPUTS} inputs`, () => {
    expect(validateEmbeddingRequest(withFields({ input: Array.from({ length: MAX_EMBEDDING_INPUTS }, (_, i) => `t${i}`) })).input).toHaveLength(MAX_EMBEDDING_INPUTS);
  });
});
