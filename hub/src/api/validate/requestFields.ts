import type { SamplingParams } from '@porten/shared/protocol';
import { asObject, fieldPath, optionalBoolean, optionalInteger, optionalNumber, optionalObject, rejectUnknownFields, requireString, unsupported, type JsonObject } from './fields.ts';
import { describeKind, invalid } from '../../validation/invalid.ts';

/**
 * The top-level fields that /v1/chat/completions and /v1/completions share, read one way for both.
 * Each reader takes the whole body and returns the normalised value (absent or null → undefined).
 */

export interface StreamFlags {
  stream: boolean;
  /** True only when streaming and `stream_options.include_usage` is true. */
  include_usage: boolean;
}

/** The official limit on stop sequences. */
const MAX_STOP_SEQUENCES = 4;
const STREAM_OPTIONS_FIELDS: ReadonlySet<string> = new Set(['include_usage', 'include_obfuscation']);

/** The body as an object with no field outside `known` (the endpoint's official request fields). */
export function readBody(body: unknown, known: ReadonlySet<string>): JsonObject {
  const obj = asObject(body, 'body');
  rejectUnknownFields(obj, known, '');
  return obj;
}

/** `model`: required, non-empty. Whether it exists is the catalog's business (404 model_not_found), not this one's. */
export function readModel(body: JsonObject): string {
  return requireString(body, 'model', '', { nonEmpty: true });
}

export function readSamplingParams(body: JsonObject): SamplingParams {
  return {
    temperature: optionalNumber(body, 'temperature', '', { min: 0, max: 2 }),
    top_p: optionalNumber(body, 'top_p', '', { min: 0, max: 1 }),
    stop: readStop(body),
    seed: optionalInteger(body, 'seed', ''),
    presence_penalty: optionalNumber(body, 'presence_penalty', '', { min: -2, max: 2 }),
    frequency_penalty: optionalNumber(body, 'frequency_penalty', '', { min: -2, max: 2 }),
  };
}

/**
 * `stop`: a string or up to 4 strings, always returned as an array. Empty strings are dropped (an
 * empty stop sequence cannot mean anything an engine agrees on), and an empty result is `undefined`.
 */
export function readStop(body: JsonObject): string[] | undefined {
  const v = body.stop;
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v === '' ? undefined : [v];
  if (!Array.isArray(v)) invalid('stop', `stop must be a string or an array of up to ${MAX_STOP_SEQUENCES} strings (got ${describeKind(v)})`);
  if (v.length > MAX_STOP_SEQUENCES) invalid('stop', `stop must have at most ${MAX_STOP_SEQUENCES} sequences (got ${v.length})`);
  const out: string[] = [];
  v.forEach((s: unknown, i) => {
    if (typeof s !== 'string') invalid(`stop[${i}]`, `stop[${i}] must be a string`);
    if (s !== '') out.push(s);
  });
  return out.length === 0 ? undefined : out;
}

/**
 * `stream` and `stream_options`. `stream_options` on a non-streamed request is accepted and has no
 * effect (OpenAI rejects it; clients that always send it would otherwise fail for no benefit).
 */
export function readStreamFlags(body: JsonObject): StreamFlags {
  const stream = optionalBoolean(body, 'stream', '') ?? false;
  const options = optionalObject(body, 'stream_options', '');
  let includeUsage = false;
  if (options !== undefined) {
    rejectUnknownFields(options, STREAM_OPTIONS_FIELDS, 'stream_options');
    includeUsage = optionalBoolean(options, 'include_usage', 'stream_options') ?? false;
    optionalBoolean(options, 'include_obfuscation', 'stream_options');
  }
  return { stream, include_usage: stream && includeUsage };
}

/** `n`: Porten returns one choice per request, so only 1 (or absent) is accepted. */
export function requireSingleChoice(body: JsonObject): void {
  const n = optionalInteger(body, 'n', '', { min: 1, max: 128 });
  if (n !== undefined && n !== 1) invalid('n', `n must be 1: Porten returns one choice per request (got ${n}); send ${n} requests instead`);
}

/** `logit_bias`: only an empty map (or null) is accepted; engines do not get token-level biases. */
export function rejectLogitBias(body: JsonObject): void {
  const bias = optionalObject(body, 'logit_bias', '');
  if (bias === undefined) return;
  for (const token in bias) {
    const v = bias[token];
    if (typeof v !== 'number' || !Number.isFinite(v)) invalid(fieldPath('logit_bias', token), `logit_bias values must be numbers between -100 and 100`);
    unsupported('logit_bias', 'token biases are not passed to engines; remove logit_bias');
  }
}
