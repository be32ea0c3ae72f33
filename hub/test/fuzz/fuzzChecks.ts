import { expect } from 'vitest';
import type { JsonResponse } from '../support/httpClient.ts';

/** Header values Node's HTTP client can send (visible ASCII and spaces), for fuzzed headers. */
export const HEADER_VALUE = /^[\x20-\x7e]{0,120}$/;

/**
 * The contract of every refusal, whatever was sent: never a 5xx (503 refusals aside, which name
 * their reason), and an error body that is exactly the OpenAI shape with JSON content type.
 */
export function expectWellFormedRefusal(r: JsonResponse & { text: string }, what: string): void {
  expect(r.status, `${what} → ${r.status} ${r.text.slice(0, 300)}`).toBeLessThan(500);
  if (r.status < 400) return;
  expect(r.headers.get('content-type'), what).toMatch(/^application\/json/);
  expect(Object.keys(r.body ?? {}), what).toEqual(['error']);
  const e = r.body.error as Record<string, unknown>;
  expect(Object.keys(e).sort(), what).toEqual(['code', 'message', 'param', 'type']);
  expect(typeof e.message === 'string' && e.message.length > 0, what).toBe(true);
  expect(typeof e.code, what).toBe('string');
  expect(typeof e.type, what).toBe('string');
  expect(e.param === null || typeof e.param === 'string', what).toBe(true);
  expect(e.message as string, what).not.toMatch(/this is a bug/);
}
