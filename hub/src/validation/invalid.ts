import { HubError } from '../errors/index.ts';

/**
 * The hub's one validation kit's base: every validator (admin and enrollment bodies in
 * bodyRules.ts, OpenAI request fields in api/validate/) refuses through `invalid`, and says what
 * came through one of the two descriptions below.
 */

/** Throws the one validation error: `400 invalid_request_error` naming `param`. */
export function invalid(param: string, message: string): never {
  throw new HubError('invalid_request_error', message, { param });
}

/**
 * What the caller sent, by kind only ("a string", "3", "an object"): for the OpenAI endpoints,
 * whose strings are prompts and must never be echoed into an error (or a log that keeps it).
 */
export function describeKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string':
      return 'a string';
    case 'number':
    case 'boolean':
      return String(v);
    case 'object':
      return 'an object';
    default:
      return typeof v;
  }
}

/**
 * What the caller sent, with a string shown (up to 40 characters, `"eu-wst"`): for admin and
 * enrollment fields (names, regions, codes), where seeing the value is what makes the error useful.
 */
export function describeShort(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"` : typeof v;
}
