import type { EmbeddingParams } from '@porten/shared/protocol';
import { isUnset, optionalInteger, optionalOneOf, optionalString, unsupported, type JsonObject } from './fields.ts';
import { describeKind, invalid } from '../../validation/invalid.ts';
import { readBody, readModel } from './requestFields.ts';

export type EmbeddingEncoding = 'float' | 'base64';

/** A validated `POST /v1/embeddings` body. */
export interface EmbeddingRequest {
  model: string;
  /** How vectors go back to the client. The official SDK asks for `base64` unless told otherwise. */
  encoding_format: EmbeddingEncoding;
  /** Always an array of non-empty strings, in the client's order (the node's `EmbeddingParams.input`). */
  input: EmbeddingParams['input'];
}

/** Every top-level field of the official CreateEmbeddingRequest. */
export const EMBEDDING_REQUEST_FIELDS: ReadonlySet<string> = new Set(['model', 'input', 'encoding_format', 'dimensions', 'user']);

/** The official limit on inputs per request. */
export const MAX_EMBEDDING_INPUTS = 2048;

/**
 * Validates an embeddings body: throws `400 invalid_request_error` naming the first offending field,
 * or returns the normalised request. Token-id inputs and `dimensions` are refused: engines embed text
 * and return their model's native size.
 */
export function validateEmbeddingRequest(body: unknown): EmbeddingRequest {
  const obj = readBody(body, EMBEDDING_REQUEST_FIELDS);
  const model = readModel(obj);
  const input = readInput(obj);
  const encoding = optionalOneOf(obj, 'encoding_format', '', ['float', 'base64']) ?? 'float';
  if (!isUnset(obj.dimensions)) {
    optionalInteger(obj, 'dimensions', '', { min: 1, max: Number.MAX_SAFE_INTEGER });
    unsupported('dimensions', "vectors have the model's native size; leave dimensions out");
  }
  optionalString(obj, 'user', '');
  return { model, input, encoding_format: encoding };
}

function readInput(body: JsonObject): string[] {
  const v = body.input;
  if (isUnset(v)) invalid('input', 'input is required');
  if (typeof v === 'string') {
    if (v === '') invalid('input', 'input must not be an empty string');
    return [v];
  }
  if (!Array.isArray(v)) invalid('input', `input must be a string or an array of strings (got ${describeKind(v)})`);
  if (v.length === 0) invalid('input', 'input must not be an empty array');
  if (v.length > MAX_EMBEDDING_INPUTS) invalid('input', `input must have at most ${MAX_EMBEDDING_INPUTS} items (got ${v.length})`);
  if (typeof v[0] === 'number') invalid('input', 'input must be text: token-id inputs are not supported');
  v.forEach((item: unknown, i) => {
    const param = `input[${i}]`;
    if (Array.isArray(item)) invalid(param, `${param} must be a string: token-id inputs are not supported`);
    if (typeof item !== 'string') invalid(param, `${param} must be a string (got ${describeKind(item)})`);
    if (item === '') invalid(param, `${param} must not be an empty string`);
  });
  return v as string[];
}
