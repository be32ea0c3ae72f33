import { describe, expect, it } from 'vitest';
import { assertMatchesSchema, officialSchemas } from '../../../test/openaiSchemas.ts';
import { toErrorBody } from '../../http/errorResponse.ts';
import { rejectionOf } from './rejectionOf.ts';
import { CHAT_REQUEST_FIELDS, validateChatRequest } from './validateChatRequest.ts';

const user = { role: 'user', content: 'hi' };
const base = { model: 'qwen2.5-7b', messages: [user] };
const withFields = (fields: Record<string, unknown>) => ({ ...base, ...fields });
const withMessages = (...messages: unknown[]) => ({ ...base, messages });
const toolCall = { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Bern"}' } };
const weatherTool = { type: 'function', function: { name: 'get_weather', description: 'Weather now', parameters: { type: 'object', properties: { city: { type: 'string' } } } } };

describe('validateChatRequest rejects bad bodies with the exact param', () => {
  const cases: Array<[string, unknown, string, string?]> = [
    ['a body that is an array', [base], 'body'],
    ['a body that is a string', 'hello', 'body'],
    ['a body that is null', null, 'body'],
    ['an unknown top-level field', withFields({ foo: 1 }), 'foo', 'Unrecognized request argument supplied: foo'],
    ['a top-level field from another endpoint', withFields({ prompt: 'x' }), 'prompt', 'Unrecognized request argument supplied: prompt'],
    ['a missing model', { messages: [user] }, 'model', 'model is required'],
    ['a null model', { model: null, messages: [user] }, 'model'],
    ['a numeric model', { model: 3, messages: [user] }, 'model', 'model must be a string'],
    ['an empty model', { model: '', messages: [user] }, 'model'],
    ['missing messages', { model: 'm' }, 'messages', 'messages is required'],
    ['messages as an object', { model: 'm', messages: { 0: user } }, 'messages', 'messages must be an array'],
    ['empty messages', { model: 'm', messages: [] }, 'messages', 'must not be empty'],
    ['a message that is a string', withMessages(user, 'hi'), 'messages[1]'],
    ['a message without role', withMessages({ content: 'hi' }), 'messages[0].role', 'is required'],
    ['an unknown role', withMessages({ role: 'robot', content: 'hi' }), 'messages[0].role', "must be one of 'system'"],
    ['a user message without content', withMessages({ role: 'user' }), 'messages[0].content', 'is required'],
    ['numeric content', withMessages(user, { role: 'user', content: 5 }), 'messages[1].content', 'must be a string or an array of content parts'],
    ['empty content parts', withMessages({ role: 'user', content: [] }), 'messages[0].content'],
    ['a content part that is a string', withMessages({ role: 'user', content: ['hi'] }), 'messages[0].content[0]'],
    ['an unknown part type', withMessages({ role: 'user', content: [{ type: 'video', video: {} }] }), 'messages[0].content[0].type'],
    ['a text part without text', withMessages({ role: 'user', content: [{ type: 'text' }] }), 'messages[0].content[0].text'],
    ['a text part with numeric text', withMessages({ role: 'user', content: [{ type: 'text', text: 1 }] }), 'messages[0].content[0].text'],
    ['an unknown field in a part', withMessages({ role: 'user', content: [{ type: 'text', text: 'a', bold: true }] }), 'messages[0].content[0].bold'],
    ['an image part without image_url', withMessages({ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'image_url' }] }), 'messages[0].content[1].image_url'],
    ['an image part without url', withMessages({ role: 'user', content: [{ type: 'image_url', image_url: {} }] }), 'messages[0].content[0].image_url.url'],
    ['an image part with an unknown detail', withMessages({ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:,', detail: 'ultra' } }] }), 'messages[0].content[0].image_url.detail'],
    ['an audio part', withMessages({ role: 'user', content: [{ type: 'input_audio', input_audio: { data: '', format: 'wav' } }] }), 'messages[0].content[0].type', 'not supported'],
    ['a file part', withMessages({ role: 'user', content: [{ type: 'file', file: { file_id: 'f' } }] }), 'messages[0].content[0].type', 'not supported'],
    ['an image in a system message', withMessages({ role: 'system', content: [{ type: 'image_url', image_url: { url: 'data:,' } }] }, user), 'messages[0].content[0].type'],
    ['a refusal part in a user message', withMessages({ role: 'user', content: [{ type: 'refusal', refusal: 'no' }] }), 'messages[0].content[0].type'],
    ['an unknown field in a message', withMessages(user, { role: 'assistant', content: 'a' }, { role: 'user', content: 'b', foo: 1 }), 'messages[2].foo', 'Unrecognized field messages[2].foo'],
    ['a field of another role', withMessages({ role: 'user', content: 'a', tool_call_id: 'x' }), 'messages[0].tool_call_id'],
    ['a numeric name', withMessages({ role: 'user', content: 'a', name: 7 }), 'messages[0].name'],
    ['a tool message without tool_call_id', withMessages(user, { role: 'assistant', tool_calls: [toolCall] }, { role: 'tool', content: '12C' }), 'messages[2].tool_call_id'],
    ['a tool message without content', withMessages(user, { role: 'assistant', tool_calls: [toolCall] }, { role: 'tool', tool_call_id: 'call_1' }), 'messages[2].content'],
    ['an assistant message with nothing in it', withMessages(user, { role: 'assistant' }), 'messages[1].content', 'is required'],
    ['an assistant message with null content and no tool calls', withMessages(user, { role: 'assistant', content: null }), 'messages[1].content'],
    ['tool_calls that are not an array', withMessages(user, { role: 'assistant', tool_calls: toolCall }), 'messages[1].tool_calls'],
    ['a tool call without id', withMessages(user, { role: 'assistant', tool_calls: [{ ...toolCall, id: undefined }] }), 'messages[1].tool_calls[0].id'],
    ['a tool call with object arguments', withMessages(user, { role: 'assistant', tool_calls: [{ ...toolCall, function: { name: 'f', arguments: { city: 'Bern' } } }] }), 'messages[1].tool_calls[0].function.arguments'],
    ['a custom tool call', withMessages(user, { role: 'assistant', tool_calls: [{ id: 'c', type: 'custom', custom: { name: 'x', input: '' } }] }), 'messages[1].tool_calls[0].type', 'not supported'],
    ['an assistant audio reference', withMessages(user, { role: 'assistant', audio: { id: 'a1' } }), 'messages[1].audio'],
    ['a function message without name', withMessages(user, { role: 'function', content: 'x' }), 'messages[1].name'],
    ['a function message without content', withMessages(user, { role: 'function', name: 'f' }), 'messages[1].content'],
    ['temperature above 2', withFields({ temperature: 3 }), 'temperature', 'temperature must be a number between 0 and 2'],
    ['temperature below 0', withFields({ temperature: -0.1 }), 'temperature'],
    ['temperature as a string', withFields({ temperature: '0.7' }), 'temperature', 'temperature must be a number between 0 and 2 (got a string)'],
    ['top_p above 1', withFields({ top_p: 1.5 }), 'top_p', 'top_p must be a number between 0 and 1'],
    ['presence_penalty below -2', withFields({ presence_penalty: -3 }), 'presence_penalty'],
    ['frequency_penalty as a string', withFields({ frequency_penalty: 'x' }), 'frequency_penalty'],
    ['max_tokens of 0', withFields({ max_tokens: 0 }), 'max_tokens', 'max_tokens must be a positive integer'],
    ['fractional max_tokens', withFields({ max_tokens: 1.5 }), 'max_tokens'],
    ['max_tokens as a string', withFields({ max_tokens: '10' }), 'max_tokens'],
    ['negative max_completion_tokens', withFields({ max_completion_tokens: -1 }), 'max_completion_tokens'],
    ['a bad max_tokens beside a good max_completion_tokens', withFields({ max_tokens: 0, max_completion_tokens: 10 }), 'max_tokens'],
    ['n of 2', withFields({ n: 2 }), 'n', 'n must be 1'],
    ['n of 0', withFields({ n: 0 }), 'n'],
    ['n as a string', withFields({ n: '1' }), 'n'],
    ['stop as a number', withFields({ stop: 5 }), 'stop'],
    ['five stop sequences', withFields({ stop: ['a', 'b', 'c', 'd', 'e'] }), 'stop', 'at most 4'],
    ['a numeric stop sequence', withFields({ stop: ['a', 1] }), 'stop[1]'],
    ['a fractional seed', withFields({ seed: 1.5 }), 'seed', 'seed must be an integer'],
    ['stream as a string', withFields({ stream: 'yes' }), 'stream', 'stream must be true or false'],
    ['stream_options as a string', withFields({ stream: true, stream_options: 'usage' }), 'stream_options'],
    ['include_usage as a string', withFields({ stream: true, stream_options: { include_usage: 'yes' } }), 'stream_options.include_usage'],
    ['an unknown stream option', withFields({ stream: true, stream_options: { usage: true } }), 'stream_options.usage'],
    ['logprobs true', withFields({ logprobs: true }), 'logprobs', 'not supported'],
    ['top_logprobs above 0', withFields({ top_logprobs: 5 }), 'top_logprobs'],
    ['top_logprobs out of range', withFields({ top_logprobs: 30 }), 'top_logprobs'],
    ['a logit bias', withFields({ logit_bias: { '50256': -100 } }), 'logit_bias', 'not supported'],
    ['logit_bias as a string', withFields({ logit_bias: 'x' }), 'logit_bias'],
    ['response_format as a string', withFields({ response_format: 'json' }), 'response_format'],
    ['an unknown response_format type', withFields({ response_format: { type: 'xml' } }), 'response_format.type'],
    ['json_schema without its spec', withFields({ response_format: { type: 'json_schema' } }), 'response_format.json_schema'],
    ['json_schema without name', withFields({ response_format: { type: 'json_schema', json_schema: { schema: {} } } }), 'response_format.json_schema.name'],
    ['json_schema with a bad name', withFields({ response_format: { type: 'json_schema', json_schema: { name: 'my schema' } } }), 'response_format.json_schema.name'],
    ['json_schema with a string schema', withFields({ response_format: { type: 'json_schema', json_schema: { name: 's', schema: '{}' } } }), 'response_format.json_schema.schema'],
    ['json_schema with a string strict', withFields({ response_format: { type: 'json_schema', json_schema: { name: 's', strict: 'yes' } } }), 'response_format.json_schema.strict'],
    ['an unknown response_format field', withFields({ response_format: { type: 'json_object', schema: {} } }), 'response_format.schema'],
    ['tools as an object', withFields({ tools: weatherTool }), 'tools'],
    ['a tool of an unknown type', withFields({ tools: [{ type: 'retrieval' }] }), 'tools[0].type'],
    ['a custom tool', withFields({ tools: [weatherTool, { type: 'custom', custom: { name: 'x' } }] }), 'tools[1].type', 'not supported'],
    ['a tool without function', withFields({ tools: [{ type: 'function' }] }), 'tools[0].function', 'tools[0].function is required'],
    ['a tool function without name', withFields({ tools: [{ type: 'function', function: { parameters: {} } }] }), 'tools[0].function.name'],
    ['a tool function with a bad name', withFields({ tools: [{ type: 'function', function: { name: 'get weather' } }] }), 'tools[0].function.name'],
    ['tool parameters as a string', withFields({ tools: [{ type: 'function', function: { name: 'f', parameters: '{}' } }] }), 'tools[0].function.parameters'],
    ['an unknown tool function field', withFields({ tools: [{ type: 'function', function: { name: 'f', returns: {} } }] }), 'tools[0].function.returns'],
    ['an unknown tool_choice mode', withFields({ tools: [weatherTool], tool_choice: 'always' }), 'tool_choice'],
    ['tool_choice without tools', withFields({ tool_choice: 'auto' }), 'tool_choice', 'only allowed when tools are sent'],
    ['tool_choice naming an unknown tool', withFields({ tools: [weatherTool], tool_choice: { type: 'function', function: { name: 'other' } } }), 'tool_choice.function.name'],
    ['tool_choice allowed_tools', withFields({ tools: [weatherTool], tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [] } } }), 'tool_choice.type'],
    ['parallel_tool_calls as a string', withFields({ parallel_tool_calls: 'yes' }), 'parallel_tool_calls'],
    ['legacy functions', withFields({ functions: [{ name: 'f' }] }), 'functions', 'send tools'],
    ['legacy function_call', withFields({ function_call: 'auto' }), 'function_call'],
    ['a numeric user', withFields({ user: 5 }), 'user'],
    ['metadata with a numeric value', withFields({ metadata: { team: 1 } }), 'metadata.team'],
    ['store as a string', withFields({ store: 'no' }), 'store'],
    ['a numeric service_tier', withFields({ service_tier: 5 }), 'service_tier'],
    ['audio output', withFields({ modalities: ['text', 'audio'] }), 'modalities[1]'],
    ['an unknown modality', withFields({ modalities: ['video'] }), 'modalities[0]'],
    ['audio options', withFields({ audio: { voice: 'alloy', format: 'mp3' } }), 'audio'],
    ['a prediction', withFields({ prediction: { type: 'content', content: 'x' } }), 'prediction'],
    ['web search', withFields({ web_search_options: {} }), 'web_search_options', 'does not search the web'],
    ['moderation', withFields({ moderation: { model: 'omni' } }), 'moderation'],
  ];

  it.each(cases)('%s → 400 param %s', (_what, body, param, message) => {
    const r = rejectionOf(validateChatRequest, body);
    expect(r).toMatchObject({ status: 400, code: 'invalid_request_error', param });
    if (message !== undefined) expect(r?.message).toContain(message);
  });

  it('turns its refusals into bodies that match the official ErrorResponse', () => {
    for (const [, body] of cases) {
      try {
        validateChatRequest(body);
      } catch (err) {
        const { status, body: errorBody } = toErrorBody(err, 'req-1');
        expect(status).toBe(400);
        assertMatchesSchema('ErrorResponse', errorBody);
        expect(errorBody.error.type).toBe('invalid_request_error');
      }
    }
  });
});

describe('validateChatRequest accepts what the official schema allows and normalises it', () => {
  it('returns the minimal request with nothing invented', () => {
    expect(validateChatRequest(base)).toStrictEqual({
      model: 'qwen2.5-7b',
      stream: false,
      include_usage: false,
      params: { messages: [user] },
      wants_tools: false,
      wants_json: false,
      vision: false,
    });
  });

  it('treats null like an absent field, as SDKs send it for "unset"', () => {
    const nulls = Object.fromEntries([...CHAT_REQUEST_FIELDS].filter((f) => f !== 'model' && f !== 'messages').map((f) => [f, null]));
    expect(validateChatRequest(withFields(nulls)).params).toStrictEqual({ messages: [user] });
  });

  it('passes sampling settings and always sends stop as an array', () => {
    const req = validateChatRequest(withFields({ temperature: 0, top_p: 1, seed: -7, presence_penalty: -2, frequency_penalty: 2, stop: '###' }));
    expect(req.params).toStrictEqual({ messages: [user], temperature: 0, top_p: 1, seed: -7, presence_penalty: -2, frequency_penalty: 2, stop: ['###'] });
    expect(validateChatRequest(withFields({ stop: ['a', '', 'b'] })).params.stop).toEqual(['a', 'b']);
    expect(validateChatRequest(withFields({ stop: '' })).params.stop).toBeUndefined();
    expect(validateChatRequest(withFields({ stop: [] })).params.stop).toBeUndefined();
  });

  it('resolves max_tokens, max_completion_tokens taking precedence', () => {
    expect(validateChatRequest(withFields({ max_tokens: 10 })).params.max_tokens).toBe(10);
    expect(validateChatRequest(withFields({ max_completion_tokens: 20 })).params.max_tokens).toBe(20);
    expect(validateChatRequest(withFields({ max_tokens: 10, max_completion_tokens: 20 })).params.max_tokens).toBe(20);
  });

  it('asks for the usage chunk only on streamed requests', () => {
    expect(validateChatRequest(withFields({ stream: true, stream_options: { include_usage: true } }))).toMatchObject({ stream: true, include_usage: true });
    expect(validateChatRequest(withFields({ stream: true }))).toMatchObject({ stream: true, include_usage: false });
    expect(validateChatRequest(withFields({ stream: false, stream_options: { include_usage: true } }))).toMatchObject({ stream: false, include_usage: false });
  });

  it('flags tools, JSON output and images for capability checks', () => {
    const tools = validateChatRequest(withFields({ tools: [weatherTool], tool_choice: { type: 'function', function: { name: 'get_weather' } }, parallel_tool_calls: false }));
    expect(tools).toMatchObject({ wants_tools: true, wants_json: false, vision: false });
    expect(tools.params.tools).toEqual([weatherTool]);
    expect(tools.params.tool_choice).toEqual({ type: 'function', function: { name: 'get_weather' } });

    expect(validateChatRequest(withFields({ tools: [] }))).toMatchObject({ wants_tools: false, params: { messages: [user] } });
    expect(validateChatRequest(withFields({ tool_choice: 'none' })).params.tool_choice).toBeUndefined();

    const json = validateChatRequest(withFields({ response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } } }));
    expect(json.wants_json).toBe(true);
    expect(json.params.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } });
    expect(validateChatRequest(withFields({ response_format: { type: 'json_object' } })).wants_json).toBe(true);
    expect(validateChatRequest(withFields({ response_format: { type: 'text' } }))).toMatchObject({ wants_json: false, params: { messages: [user] } });

    const image = { role: 'user', content: [{ type: 'text', text: 'what is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA', detail: 'low' } }] };
    expect(validateChatRequest(withMessages(image)).vision).toBe(true);
  });

  it('accepts every role, with string and part content, tool calls and legacy function results', () => {
    const messages = [
      { role: 'developer', content: 'Be brief.', name: 'ops' },
      { role: 'system', content: [{ type: 'text', text: 'You are helpful.' }] },
      { role: 'user', content: 'Weather in Bern?', name: 'alice' },
      { role: 'assistant', content: null, tool_calls: [toolCall] },
      { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: '12C' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'It is 12C.' }], refusal: null, name: 'bot' },
      { role: 'assistant', content: null, function_call: { name: 'f', arguments: '{}' } },
      { role: 'function', name: 'f', content: null },
      { role: 'assistant', refusal: 'I cannot help with that.' },
      { role: 'user', content: 'thanks' },
    ];
    const req = validateChatRequest(withMessages(...messages));
    expect(req.params.messages).toEqual(messages);
    expect(req.vision).toBe(false);
  });

  it('accepts, and type-checks, the fields that have no effect on a self-hosted engine', () => {
    const body = withFields({
      user: 'u-1', metadata: { team: 'a' }, store: false, service_tier: 'auto', reasoning_effort: 'low', verbosity: 'low',
      safety_identifier: 'x', prompt_cache_key: 'k', prompt_cache_retention: 'in_memory', prompt_cache_options: { mode: 'implicit' },
      parallel_tool_calls: true, logprobs: false, top_logprobs: 0, n: 1, logit_bias: {}, modalities: ['text'], audio: null,
    });
    expect(validateChatRequest(body).params).toStrictEqual({ messages: [user] });
  });

  it('passes the messages array through untouched and handles 10k messages', () => {
    const messages = Array.from({ length: 10_000 }, (_, i) => (i % 2 === 0 ? { role: 'user', content: `q${i}` } : { role: 'assistant', content: `a${i}` }));
    const req = validateChatRequest({ model: 'm', messages });
    expect(req.params.messages).toBe(messages);
  });

  it('accepts nothing the official CreateChatCompletionRequest schema refuses (cross-check of the bodies above)', () => {
    const accepted = [
      base,
      withFields({ stream: true, stream_options: { include_usage: true }, max_completion_tokens: 5, stop: ['a', 'b'], seed: 1 }),
      withFields({ tools: [weatherTool], tool_choice: 'required' }),
      withFields({ response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' } } } }),
      withMessages({ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.invalid/cat.png' } }] }),
    ];
    for (const body of accepted) {
      validateChatRequest(body);
      assertMatchesSchema('CreateChatCompletionRequest', body);
    }
  });
});

describe('CHAT_REQUEST_FIELDS', () => {
  /** Every property name CreateChatCompletionRequest allows, following its allOf / $ref chain. */
  function officialProperties(name: string): Set<string> {
    const schema = officialSchemas()[name] as { allOf?: Array<{ $ref?: string; properties?: object }>; properties?: object };
    const names = new Set(Object.keys(schema.properties ?? {}));
    for (const part of schema.allOf ?? []) {
      const inner = part.$ref !== undefined ? officialProperties(part.$ref.replace('#/components/schemas/', '')) : new Set(Object.keys(part.properties ?? {}));
      for (const n of inner) names.add(n);
    }
    return names;
  }

  it('is exactly the top-level fields of the official CreateChatCompletionRequest', () => {
    expect([...CHAT_REQUEST_FIELDS].sort()).toEqual([...officialProperties('CreateChatCompletionRequest')].sort());
  });
});
