import { describe, expect, it } from 'vitest';
import type { RequestMessage } from './messages.ts';
import { MAX_JSON_DEPTH, MAX_SCHEMA_BYTES, MAX_SCHEMA_DEPTH, bodyDepthProblem, requestLimitProblem, schemaProblem, tooDeepAt } from './requestLimits.ts';

/** `{"properties":{"p":{…}}}` nested `levels` times: 2 containers per level. */
function deepSchema(levels: number): Record<string, unknown> {
  let s: Record<string, unknown> = { type: 'string' };
  for (let i = 0; i < levels; i++) s = { type: 'object', properties: { p: s } };
  return s;
}
function deepArray(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}
const chat = (params: Partial<Extract<RequestMessage, { kind: 'chat' }>['params']>): RequestMessage => ({
  type: 'request',
  id: 'r',
  kind: 'chat',
  model: 'm',
  params: { messages: [{ role: 'user', content: 'hi' }], ...params },
});

describe('request shape limits', () => {
  it('measures depth by containers and names the first one past the limit', () => {
    expect(tooDeepAt(1, 0)).toBeNull();
    expect(tooDeepAt({}, 0)).toBe('');
    expect(tooDeepAt({ a: [1] }, 2)).toBeNull();
    expect(tooDeepAt({ a: [1] }, 1)).toBe('a');
    expect(tooDeepAt({ a: [[1]] }, 2, 'x')).toBe('x.a[0]');
  });

  it('measures a million levels without using the call stack', () => {
    expect(tooDeepAt(deepArray(1_000_000), MAX_JSON_DEPTH)).toMatch(/^(\[0\]){64}$/);
  });

  it('accepts a body exactly at the depth limit and refuses one level more, naming where', () => {
    expect(bodyDepthProblem({ a: deepArray(MAX_JSON_DEPTH - 1) })).toBeNull();
    expect(bodyDepthProblem({ a: deepArray(MAX_JSON_DEPTH) })).toEqual({ param: `a${'[0]'.repeat(MAX_JSON_DEPTH - 1)}`, message: expect.stringContaining(`deeper than ${MAX_JSON_DEPTH} levels`) });
    expect(bodyDepthProblem(deepArray(MAX_JSON_DEPTH + 1))?.param).toBe('[0]'.repeat(MAX_JSON_DEPTH));
  });

  it('bounds schemas by depth and by size', () => {
    expect(schemaProblem(deepSchema(MAX_SCHEMA_DEPTH / 2 - 1), 's')).toBeNull();
    expect(schemaProblem(deepSchema(MAX_SCHEMA_DEPTH / 2 + 1), 's')).toEqual({ param: expect.stringMatching(/^s(\.properties\.p)+/), message: expect.stringContaining(`deeper than ${MAX_SCHEMA_DEPTH}`) });
    const wide = { type: 'object', properties: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`field_${i}`, { type: 'string' }])) };
    expect(Buffer.byteLength(JSON.stringify(wide))).toBeGreaterThan(MAX_SCHEMA_BYTES);
    expect(schemaProblem(wide, 's')).toEqual({ param: 's', message: expect.stringContaining(`at most ${MAX_SCHEMA_BYTES} bytes`) });
  });

  it('checks a request frame: body depth, the response_format schema and every tool schema', () => {
    expect(requestLimitProblem(chat({}))).toBeNull();
    expect(requestLimitProblem(chat({ response_format: { type: 'json_schema', json_schema: { name: 'x', schema: deepSchema(20) } } }))?.param).toMatch(/^response_format\.json_schema\.schema\.properties/);
    expect(requestLimitProblem(chat({ response_format: { type: 'json_schema', json_schema: { name: 'x', schema: deepSchema(3000) } } }))?.param).toMatch(/^response_format/);
    const tool = (parameters: unknown) => ({ type: 'function', function: { name: 'f', parameters } });
    expect(requestLimitProblem(chat({ tools: [tool({ type: 'object' }), tool(deepSchema(20))] }))?.param).toMatch(/^tools\[1\]\.function\.parameters/);
    expect(requestLimitProblem(chat({ tools: [tool({ type: 'object' })] }))).toBeNull();
    expect(requestLimitProblem({ type: 'request', id: 'r', kind: 'completion', model: 'm', params: { prompt: 'x', stop: deepArray(100) as never } })?.param).toMatch(/^stop/);
  });
});
