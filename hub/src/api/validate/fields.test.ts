import { describe, expect, it } from 'vitest';
import { compact, fieldPath, optionalNumber, optionalOneOf, optionalString, rejectUnknownFields, requireIdentifier, requireString } from './fields.ts';
import { rejectionOf } from './rejectionOf.ts';

describe('fields', () => {
  it('builds OpenAI-style param paths', () => {
    expect(fieldPath('', 'model')).toBe('model');
    expect(fieldPath('messages', 2)).toBe('messages[2]');
    expect(fieldPath('messages[2]', 'content')).toBe('messages[2].content');
  });

  it('treats null like absent in optional readers, but not in required ones', () => {
    expect(optionalString({ a: null }, 'a', '')).toBeUndefined();
    expect(optionalNumber({}, 'a', '', { min: 0, max: 1 })).toBeUndefined();
    expect(rejectionOf(() => requireString({ a: null }, 'a', 'x'), null)).toMatchObject({ param: 'x.a', message: 'x.a is required' });
  });

  it('names the full path and what came in its messages', () => {
    expect(rejectionOf(() => optionalNumber({ t: true }, 't', 'p', { min: 0, max: 2 }), null)).toMatchObject({ param: 'p.t', message: 'p.t must be a number between 0 and 2 (got true)' });
    expect(rejectionOf(() => optionalNumber({ t: Number.NaN }, 't', '', { min: 0, max: 2 }), null)?.param).toBe('t');
    expect(rejectionOf(() => optionalOneOf({ e: 'x' }, 'e', '', ['a', 'b']), null)?.message).toBe("e must be one of 'a', 'b' (got 'x')");
  });

  it('words unknown-field errors like OpenAI at the top level and with the path below it', () => {
    const known = new Set(['a']);
    expect(rejectionOf(() => rejectUnknownFields({ a: 1, b: 2 }, known, ''), null)).toMatchObject({ param: 'b', message: 'Unrecognized request argument supplied: b' });
    expect(rejectionOf(() => rejectUnknownFields({ b: 2 }, known, 'tools[0]'), null)).toMatchObject({ param: 'tools[0].b', message: 'Unrecognized field tools[0].b' });
  });

  it('enforces the identifier rule for function and schema names', () => {
    expect(requireIdentifier({ n: 'get_weather-2' }, 'n', '')).toBe('get_weather-2');
    expect(rejectionOf(() => requireIdentifier({ n: 'x'.repeat(65) }, 'n', ''), null)?.param).toBe('n');
    expect(rejectionOf(() => requireIdentifier({ n: 'a.b' }, 'n', ''), null)?.param).toBe('n');
  });

  it('compacts away undefined members only', () => {
    expect(compact({ a: 1, b: undefined, c: null, d: 0 })).toStrictEqual({ a: 1, c: null, d: 0 });
  });
});
