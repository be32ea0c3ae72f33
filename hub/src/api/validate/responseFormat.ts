import { schemaProblem } from '@porten/shared/protocol';
import { asObject, optionalBoolean, optionalObject, optionalString, rejectUnknownFields, requireIdentifier, requireString, type JsonObject } from './fields.ts';
import { invalid } from '../../validation/invalid.ts';

/**
 * `response_format` of a chat request: `text`, `json_object` or `json_schema`. The format is passed
 * to the engine as sent (best effort per engine); `text` is the default and is dropped.
 */

export interface CheckedResponseFormat {
  response_format?: JsonObject;
  /** True for `json_object` and `json_schema`: the model must support JSON output. */
  json: boolean;
}

const TYPE_ONLY: ReadonlySet<string> = new Set(['type']);
const SCHEMA_FORMAT_FIELDS: ReadonlySet<string> = new Set(['type', 'json_schema']);
const JSON_SCHEMA_FIELDS: ReadonlySet<string> = new Set(['name', 'description', 'schema', 'strict']);

export function readResponseFormat(body: JsonObject): CheckedResponseFormat {
  const format = optionalObject(body, 'response_format', '');
  if (format === undefined) return { json: false };
  const type = requireString(format, 'type', 'response_format');
  switch (type) {
    case 'text':
      rejectUnknownFields(format, TYPE_ONLY, 'response_format');
      return { json: false };
    case 'json_object':
      rejectUnknownFields(format, TYPE_ONLY, 'response_format');
      return { response_format: format, json: true };
    case 'json_schema': {
      rejectUnknownFields(format, SCHEMA_FORMAT_FIELDS, 'response_format');
      const spec = asObject(format.json_schema, 'response_format.json_schema');
      rejectUnknownFields(spec, JSON_SCHEMA_FIELDS, 'response_format.json_schema');
      requireIdentifier(spec, 'name', 'response_format.json_schema');
      optionalString(spec, 'description', 'response_format.json_schema');
      const schema = optionalObject(spec, 'schema', 'response_format.json_schema');
      const tooBig = schema === undefined ? null : schemaProblem(schema, 'response_format.json_schema.schema');
      if (tooBig) invalid(tooBig.param, tooBig.message);
      optionalBoolean(spec, 'strict', 'response_format.json_schema');
      return { response_format: format, json: true };
    }
    default:
      invalid('response_format.type', `response_format.type must be one of 'text', 'json_object', 'json_schema' (got '${type.slice(0, 40)}')`);
  }
}
