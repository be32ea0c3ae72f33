import { describe, expect, it } from 'vitest';
import { parseNodeMessage } from './parseNodeMessage.ts';

const frame = (v: unknown) => parseNodeMessage(JSON.stringify(v));

/** What a node sends is validated before it reaches routing or a client; a malformed frame is refused. */
describe('parseNodeMessage', () => {
  it('keeps well-formed tool-call deltas as sent', () => {
    const calls = [{ index: 0, id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":' } }, { index: 1, function: { arguments: '1}' } }];
    expect(frame({ type: 'delta', id: 's', tool_calls: calls })).toEqual({ type: 'delta', id: 's', tool_calls: calls });
  });

  it.each([
    ['not a list', 'x'],
    ['an entry not an object', [1]],
    ['no index', [{ id: 'a' }]],
    ['a fractional index', [{ index: 0.5 }]],
    ['a negative index', [{ index: -1 }]],
    ['an id not a string', [{ index: 0, id: 7 }]],
    ['a type other than function', [{ index: 0, type: 'custom' }]],
    ['a function not an object', [{ index: 0, function: 'f' }]],
    ['a name not a string', [{ index: 0, function: { name: { a: 1 } } }]],
    ['arguments not a string', [{ index: 0, function: { arguments: { q: 1 } } }]],
  ])('refuses tool calls with %s', (_what, toolCalls) => {
    expect(frame({ type: 'delta', id: 's', tool_calls: toolCalls })).toEqual({ invalid: 'delta.tool_calls' });
  });

  it('drops fields outside the protocol from tool calls, so nothing a node adds reaches a client', () => {
    expect(frame({ type: 'delta', id: 's', tool_calls: [{ index: 0, id: 'c', extra: '<script>', function: { name: 'f', extra: 1 } }] })).toEqual({
      type: 'delta',
      id: 's',
      tool_calls: [{ index: 0, id: 'c', function: { name: 'f' } }],
    });
  });

  it('reports usage as whole token counts, anything else as 0', () => {
    expect(frame({ type: 'done', id: 's', finish_reason: 'stop', usage: { prompt_tokens: 3.7, completion_tokens: -2 } })).toMatchObject({ usage: { prompt_tokens: 3, completion_tokens: 0 } });
    expect(frame({ type: 'done', id: 's', finish_reason: 'stop', usage: { prompt_tokens: 1e300, completion_tokens: '5' } })).toMatchObject({ usage: { prompt_tokens: 0, completion_tokens: 0 } });
  });

  it('never takes a region or trust class from a node', () => {
    const hb = frame({ type: 'heartbeat', capacity: { vram_total_mb: 1, vram_free_mb: 1, max_concurrency: 1 }, region: 'us', trust_class: 'confidential' });
    expect(hb).not.toHaveProperty('region');
    expect(hb).not.toHaveProperty('trust_class');
  });
});
