import { describe, expect, it } from 'vitest';
import type { ChatParams, RequestMessage } from '@porten/shared/protocol';
import { isAgentError } from '../../errors/index.ts';
import { ollamaRequest } from './ollamaRequest.ts';

/**
 * Hub requests (OpenAI-shaped) → Ollama native request bodies. The expected bodies follow the
 * request shapes of Ollama's docs/api.md (tested without a live daemon: none is available here).
 */
const chat = (params: Partial<ChatParams>): RequestMessage => ({ type: 'request', id: 'r1', kind: 'chat', model: 'llama3.2-3b', params: { messages: [], ...params } });

const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_current_weather',
    description: 'Get the current weather for a location',
    parameters: {
      type: 'object',
      properties: { location: { type: 'string' }, format: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['location', 'format'],
    },
  },
};

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isAgentError(err, 'invalid_request')) return err.message;
    throw err;
  }
  throw new Error('expected invalid_request');
}

describe('ollama request translation', () => {
  it('chat → POST /api/chat, streamed, sampling settings in options (max_tokens is num_predict)', () => {
    const r = ollamaRequest(chat({ messages: [{ role: 'user', content: 'why is the sky blue?' }], temperature: 0, top_p: 0.9, seed: 101, max_tokens: 100, stop: ['\n', 'user:'], presence_penalty: 1.5, frequency_penalty: 1 }), 'llama3.2');
    expect(r).toEqual({
      path: '/api/chat',
      body: {
        model: 'llama3.2',
        messages: [{ role: 'user', content: 'why is the sky blue?' }],
        stream: true,
        options: { temperature: 0, top_p: 0.9, seed: 101, num_predict: 100, stop: ['\n', 'user:'], presence_penalty: 1.5, frequency_penalty: 1 },
      },
    });
    // No sampling settings: no options object at all (the Modelfile's defaults apply).
    expect(ollamaRequest(chat({ messages: [{ role: 'user', content: 'hi' }] }), 'llama3.2').body).not.toHaveProperty('options');
  });

  it('tools pass as they are; a tool-calling conversation becomes Ollama messages (arguments as objects, tool results named)', () => {
    const r = ollamaRequest(
      chat({
        tools: [WEATHER_TOOL],
        tool_choice: 'auto',
        messages: [
          { role: 'developer', content: 'Answer briefly.' },
          { role: 'user', content: 'What is the weather today in Paris?' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_current_weather', arguments: '{"location":"Paris, FR","format":"celsius"}' } }] },
          { role: 'tool', tool_call_id: 'call_1', content: '22 degrees' },
        ],
      }),
      'llama3.2',
    );
    expect(r.body).toEqual({
      model: 'llama3.2',
      stream: true,
      tools: [WEATHER_TOOL],
      messages: [
        { role: 'system', content: 'Answer briefly.' },
        { role: 'user', content: 'What is the weather today in Paris?' },
        { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_current_weather', arguments: { location: 'Paris, FR', format: 'celsius' } } }] },
        { role: 'tool', content: '22 degrees', tool_name: 'get_current_weather' },
      ],
    });
    // tool_choice "none": the tools are not offered.
    expect(ollamaRequest(chat({ tools: [WEATHER_TOOL], tool_choice: 'none' }), 'llama3.2').body).not.toHaveProperty('tools');
  });

  it('content parts: text joined, base64 data: URL images in `images`', () => {
    const r = ollamaRequest(
      chat({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'what is in this image?' },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
              { type: 'text', text: 'one word' },
            ],
          },
        ],
      }),
      'llava',
    );
    expect(r.body).toMatchObject({ messages: [{ role: 'user', content: 'what is in this image?\none word', images: ['iVBORw0KGgo='] }] });
  });

  it('response_format: JSON mode is format "json", a JSON schema is the format itself', () => {
    const schema = { type: 'object', properties: { age: { type: 'integer' }, available: { type: 'boolean' } }, required: ['age', 'available'] };
    expect(ollamaRequest(chat({ response_format: { type: 'json_object' } }), 'llama3.1').body).toMatchObject({ format: 'json' });
    expect(ollamaRequest(chat({ response_format: { type: 'json_schema', json_schema: { name: 'person', schema } } }), 'llama3.1').body).toMatchObject({ format: schema });
    expect(ollamaRequest(chat({ response_format: { type: 'text' } }), 'llama3.1').body).not.toHaveProperty('format');
  });

  it('completion → POST /api/generate; embedding → POST /api/embed with the list of inputs', () => {
    expect(ollamaRequest({ type: 'request', id: 'c', kind: 'completion', model: 'cl', params: { prompt: 'def compute_gcd(a, b):', temperature: 0, max_tokens: 63 } }, 'codellama:code')).toEqual({
      path: '/api/generate',
      body: { model: 'codellama:code', prompt: 'def compute_gcd(a, b):', stream: true, options: { temperature: 0, num_predict: 63 } },
    });
    expect(ollamaRequest({ type: 'request', id: 'e', kind: 'embedding', model: 'minilm', params: { input: ['Why is the sky blue?', 'Why is the grass green?'] } }, 'all-minilm')).toEqual({
      path: '/api/embed',
      body: { model: 'all-minilm', input: ['Why is the sky blue?', 'Why is the grass green?'] },
    });
  });

  it('what Ollama cannot express is refused as invalid_request (the client gets 400), in these words', () => {
    expect(refusal(() => ollamaRequest(chat({ tools: [WEATHER_TOOL], tool_choice: 'required' }), 'm'))).toBe(
      'tool_choice "required" cannot be honoured by the Ollama engine, which cannot force a tool call; use "auto" or "none"',
    );
    expect(refusal(() => ollamaRequest(chat({ messages: [{ role: 'function', name: 'f', content: 'x' }] }), 'm'))).toBe(
      'messages[0].role "function" is not one the Ollama engine passes on (system, developer, user, assistant, tool)',
    );
    expect(refusal(() => ollamaRequest(chat({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] }), 'm'))).toBe(
      'messages[0]: the Ollama engine takes images only as base64 data: URLs; the node does not fetch image URLs',
    );
    expect(refusal(() => ollamaRequest(chat({ messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{"a":' } }] }] }), 'm'))).toBe(
      'messages[0].tool_calls[0].function.arguments must be a JSON object (as a string or an object)',
    );
    expect(refusal(() => ollamaRequest(chat({ response_format: { type: 'xml' } }), 'm'))).toBe(
      'response_format must be {"type":"text"}, {"type":"json_object"} or {"type":"json_schema","json_schema":{"schema":{…}}}',
    );
  });
});
