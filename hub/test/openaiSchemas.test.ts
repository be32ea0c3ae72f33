import { describe, expect, it } from 'vitest';
import { assertMatchesSchema, officialSchemas, schemaErrors } from './openaiSchemas.ts';

const chunk = {
  id: 'c',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm',
  choices: [{ index: 0, delta: { content: 'x' }, finish_reason: null }],
};

describe('assertMatchesSchema', () => {
  it('accepts valid values, following $refs between component schemas', () => {
    assertMatchesSchema('CreateChatCompletionStreamResponse', chunk);
    assertMatchesSchema('ErrorResponse', { error: { message: 'm', type: 'invalid_request_error', code: null, param: null } });
  });

  it('reads OpenAPI nullable: null is allowed where it is set, also beside $ref and enum, and refused elsewhere', () => {
    assertMatchesSchema('CreateChatCompletionStreamResponse', { ...chunk, usage: null });
    assertMatchesSchema('CreateChatCompletionRequest', { model: 'm', messages: [{ role: 'user', content: 'x' }], stop: null, n: null });
    expect(schemaErrors('CreateChatCompletionStreamResponse', { ...chunk, id: null })).not.toEqual([]);
  });

  it('checks the formats the schemas use', () => {
    expect(schemaErrors('CreateChatCompletionStreamResponse', { ...chunk, created: 1.5 }).join()).toContain('/created must match format "unixtime"');
  });

  it('throws a readable error naming the path of each mismatch', () => {
    expect(() => assertMatchesSchema('CreateChatCompletionResponse', { id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0 }] })).toThrow(
      /does not match OpenAI schema CreateChatCompletionResponse:[\s\S]*\/choices\/0 must have required property 'message'/,
    );
  });

  it('refuses an unknown schema name, listing the known ones', () => {
    expect(() => assertMatchesSchema('NoSuchThing', {})).toThrow(/no OpenAI schema named NoSuchThing; known: .*ChatCompletionTool/);
  });

  it('exposes the published schemas unchanged', () => {
    expect(JSON.stringify(officialSchemas().CreateChatCompletionStreamResponse)).toContain('"nullable":true');
  });
});
