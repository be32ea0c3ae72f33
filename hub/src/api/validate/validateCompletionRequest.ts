import type { CompletionParams } from '@porten/shared/protocol';
import { compact, isUnset, optionalBoolean, optionalInteger, optionalPositiveInteger, optionalString, unsupported, type JsonObject } from './fields.ts';
import { describeKind, invalid } from '../../validation/invalid.ts';
import { readBody, readModel, readSamplingParams, readStreamFlags, rejectLogitBias, requireSingleChoice } from './requestFields.ts';

/** A validated legacy `POST /v1/completions` body. */
export interface CompletionRequest {
  model: string;
  stream: boolean;
  include_usage: boolean;
  /** `prompt` as one string, `stop` always an array. `max_tokens` stays unset when not sent (the engine decides). */
  params: CompletionParams;
}

/** Every top-level field of the official CreateCompletionRequest. */
export const COMPLETION_REQUEST_FIELDS: ReadonlySet<string> = new Set([
  'model', 'prompt', 'best_of', 'echo', 'frequency_penalty', 'logit_bias', 'logprobs', 'max_tokens', 'n',
  'presence_penalty', 'seed', 'stop', 'stream', 'stream_options', 'suffix', 'temperature', 'top_p', 'user',
]);

/**
 * Validates a legacy completion body: throws `400 invalid_request_error` naming the first offending
 * field, or returns the normalised request. One prompt per request: a string, or an array holding
 * exactly one string. Token-id prompts, `echo`, `logprobs`, `suffix` and `best_of` > 1 are refused
 * with a message saying so, because no engine behind the hub implements them uniformly.
 */
export function validateCompletionRequest(body: unknown): CompletionRequest {
  const obj = readBody(body, COMPLETION_REQUEST_FIELDS);
  const model = readModel(obj);
  const prompt = readPrompt(obj);
  const { stream, include_usage } = readStreamFlags(obj);
  const maxTokens = optionalPositiveInteger(obj, 'max_tokens', '');
  const sampling = readSamplingParams(obj);
  requireSingleChoice(obj);
  rejectLogitBias(obj);
  const bestOf = optionalInteger(obj, 'best_of', '', { min: 0, max: 20 });
  if (bestOf !== undefined && bestOf > 1) invalid('best_of', `best_of must be 1: Porten returns one choice per request (got ${bestOf})`);
  if (optionalBoolean(obj, 'echo', '') === true) unsupported('echo', 'the prompt is not echoed; send echo false or leave it out');
  if (!isUnset(obj.logprobs)) {
    optionalInteger(obj, 'logprobs', '', { min: 0, max: 5 });
    unsupported('logprobs', 'engines do not return token log probabilities; leave logprobs out');
  }
  if (optionalString(obj, 'suffix', '') !== undefined) unsupported('suffix', 'insertion with a suffix is not available; leave suffix out');
  optionalString(obj, 'user', '');

  const params: CompletionParams = compact({ prompt, max_tokens: maxTokens, ...sampling });
  return { model, stream, include_usage, params };
}

function readPrompt(body: JsonObject): string {
  const v = body.prompt;
  if (isUnset(v)) invalid('prompt', 'prompt is required');
  if (typeof v === 'string') return v;
  if (!Array.isArray(v)) invalid('prompt', `prompt must be a string (got ${describeKind(v)})`);
  const first: unknown = v[0];
  if (typeof first === 'number' || Array.isArray(first)) invalid('prompt', 'prompt must be text: token-id prompts are not supported');
  if (v.length !== 1) invalid('prompt', `prompt must be one string; batched prompts are not supported (got ${v.length} items), send one request per prompt`);
  if (typeof first !== 'string') invalid('prompt[0]', `prompt[0] must be a string (got ${describeKind(first)})`);
  return first;
}
