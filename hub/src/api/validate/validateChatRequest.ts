import type { ChatParams } from '@porten/shared/protocol';
import { readMessages } from './chatMessages.ts';
import { readTools } from './chatTools.ts';
import { isUnset, optionalArray, optionalBoolean, optionalInteger, optionalObject, optionalPositiveInteger, optionalString, optionalStringMap, unsupported, compact, type JsonObject } from './fields.ts';
import { invalid } from '../../validation/invalid.ts';
import { readBody, readModel, readSamplingParams, readStreamFlags, rejectLogitBias, requireSingleChoice } from './requestFields.ts';
import { readResponseFormat } from './responseFormat.ts';

/** A validated `POST /v1/chat/completions` body, normalised for routing and for the node. */
export interface ChatRequest {
  model: string;
  stream: boolean;
  /** Send a final usage chunk (`stream_options.include_usage` on a streamed request). */
  include_usage: boolean;
  /** What the node gets: `stop` always an array, `max_tokens` resolved from `max_completion_tokens`. */
  params: ChatParams;
  /** Tools were sent: only a model whose catalog entry declares `tools` may serve. */
  wants_tools: boolean;
  /** `response_format` asks for JSON (`json_object` / `json_schema`): the model needs `json`. */
  wants_json: boolean;
  /** A user message carries an image: the model needs `vision`. */
  vision: boolean;
}

/**
 * Every top-level field of the official CreateChatCompletionRequest (a test keeps this list equal to
 * the schema). Anything else is refused with OpenAI's "Unrecognized request argument supplied".
 */
export const CHAT_REQUEST_FIELDS: ReadonlySet<string> = new Set([
  'model', 'messages', 'stream', 'stream_options', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p',
  'n', 'stop', 'seed', 'presence_penalty', 'frequency_penalty', 'logit_bias', 'logprobs', 'top_logprobs',
  'response_format', 'tools', 'tool_choice', 'parallel_tool_calls', 'functions', 'function_call', 'user', 'metadata',
  'store', 'service_tier', 'reasoning_effort', 'verbosity', 'modalities', 'audio', 'prediction', 'web_search_options',
  'moderation', 'safety_identifier', 'prompt_cache_key', 'prompt_cache_retention', 'prompt_cache_options',
]);

/**
 * Validates a chat completion body: throws `400 invalid_request_error` with `param` naming the first
 * offending field, or returns the normalised request. Linear in the size of the body; no I/O.
 *
 * Official fields fall in three groups: passed to the engine (sampling, stop, seed, response_format,
 * tools); accepted and type-checked but without effect on a self-hosted engine (user, metadata, store,
 * service_tier, reasoning_effort, verbosity, prompt caching, safety_identifier, parallel_tool_calls);
 * accepted only in their neutral value, with a 400 saying so otherwise (n, logprobs, top_logprobs,
 * logit_bias, modalities, audio, prediction, web_search_options, moderation, functions).
 */
export function validateChatRequest(body: unknown): ChatRequest {
  const obj = readBody(body, CHAT_REQUEST_FIELDS);
  const model = readModel(obj);
  const { messages, vision } = readMessages(obj);
  const { stream, include_usage } = readStreamFlags(obj);
  const maxTokens = readMaxTokens(obj);
  const sampling = readSamplingParams(obj);
  requireSingleChoice(obj);
  rejectLogitBias(obj);
  rejectLogprobs(obj);
  const { response_format, json } = readResponseFormat(obj);
  const { tools, tool_choice } = readTools(obj);
  checkCompatibilityFields(obj);

  const params: ChatParams = compact({ messages: messages as unknown[], max_tokens: maxTokens, ...sampling, response_format, tools: tools as unknown[] | undefined, tool_choice });
  return { model, stream, include_usage, params, wants_tools: tools !== undefined, wants_json: json, vision };
}

/** `max_completion_tokens` wins over the deprecated `max_tokens`; both are checked when both are sent. */
function readMaxTokens(body: JsonObject): number | undefined {
  const legacy = optionalPositiveInteger(body, 'max_tokens', '');
  return optionalPositiveInteger(body, 'max_completion_tokens', '') ?? legacy;
}

function rejectLogprobs(body: JsonObject): void {
  if (optionalBoolean(body, 'logprobs', '') === true) unsupported('logprobs', 'engines do not return token log probabilities; send logprobs false or leave it out');
  const top = optionalInteger(body, 'top_logprobs', '', { min: 0, max: 20 });
  if (top !== undefined && top > 0) unsupported('top_logprobs', 'engines do not return token log probabilities; leave top_logprobs out');
}

/** Fields with no effect here are still type-checked, so a client's mistake is not silently hidden. */
function checkCompatibilityFields(body: JsonObject): void {
  for (const key of ['user', 'service_tier', 'reasoning_effort', 'verbosity', 'safety_identifier', 'prompt_cache_key', 'prompt_cache_retention']) {
    optionalString(body, key, '');
  }
  optionalStringMap(body, 'metadata', '');
  optionalBoolean(body, 'store', '');
  optionalObject(body, 'prompt_cache_options', '');
  const modalities = optionalArray(body, 'modalities', '') ?? [];
  modalities.forEach((m, i) => {
    if (m === 'audio') unsupported(`modalities[${i}]`, "audio output is not available; send modalities ['text'] or leave it out");
    if (m !== 'text') invalid(`modalities[${i}]`, `modalities[${i}] must be 'text'`);
  });
  if (!isUnset(body.audio)) unsupported('audio', 'audio output is not available; leave audio out');
  if (!isUnset(body.prediction)) unsupported('prediction', 'predicted outputs are not available; leave prediction out');
  if (!isUnset(body.web_search_options)) unsupported('web_search_options', 'a sovereign deployment does not search the web; leave web_search_options out');
  if (!isUnset(body.moderation)) unsupported('moderation', 'moderation is not available; leave moderation out');
}
