import { describeKind, invalid } from '../../validation/invalid.ts';

/**
 * The field checks every OpenAI request validator is built from (chat, completions, embeddings).
 *
 * Contract of every reader: `read*(obj, key, path)` looks at `obj[key]`, where `path` is where `obj`
 * sits in the body (`''` for the body itself, `messages[2]` for a message). On a bad value it throws
 * `400 invalid_request_error` whose `param` is the full path of the field (`messages[2].content`,
 * `temperature`) and whose message says what was expected and what came. The first problem found is
 * reported: the OpenAI error shape has room for one `param`.
 *
 * `optional*` readers treat `null` exactly like an absent field and return `undefined`: the official
 * schema marks nearly every optional field nullable, and SDKs and frameworks send `null` for "unset".
 *
 * Rejected alternative: ajv over the official schema at run time. Its messages name schema keywords,
 * not what the caller should send, it reports `oneOf` failures as a pile of branches, and it would
 * put a dependency on the hot path of every request.
 */

/** A JSON object from a request body. Validators never mutate what the client sent. */
export type JsonObject = Readonly<Record<string, unknown>>;

export interface Range {
  min: number;
  max: number;
}

/** Throws for a field the official API has but Porten does not implement; `hint` says what to do instead. */
export function unsupported(param: string, hint: string): never {
  invalid(param, `${param} is not supported by Porten: ${hint}`);
}

/** The path of `key` inside the value at `path`: `fieldPath('messages', 2)` → `messages[2]`, `fieldPath('', 'model')` → `model`. */
export function fieldPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** True when the field is absent or `null`: the only value accepted for official fields Porten does not implement. */
export function isUnset(v: unknown): v is null | undefined {
  return v === undefined || v === null;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `value` (found at `param`) as an object, or a 400 naming `param`. */
export function asObject(value: unknown, param: string): JsonObject {
  if (value === undefined) invalid(param, `${param} is required`);
  if (!isObject(value)) {
    invalid(param, param === 'body' ? 'request body must be a JSON object' : `${param} must be an object (got ${describeKind(value)})`);
  }
  return value;
}

/**
 * Rejects any key of `obj` not in `known`. At the top level the message mirrors OpenAI's
 * ("Unrecognized request argument supplied: foo") so clients written against it recognise it.
 */
export function rejectUnknownFields(obj: JsonObject, known: ReadonlySet<string>, path: string): void {
  for (const key in obj) {
    if (known.has(key)) continue;
    const param = fieldPath(path, key);
    invalid(param, path === '' ? `Unrecognized request argument supplied: ${key}` : `Unrecognized field ${param}`);
  }
}

/** A required string; `nonEmpty` also rejects `""`. */
export function requireString(obj: JsonObject, key: string, path: string, opts: { nonEmpty?: boolean } = {}): string {
  const v = obj[key];
  const param = fieldPath(path, key);
  if (v === undefined || v === null) invalid(param, `${param} is required`);
  if (typeof v !== 'string') invalid(param, `${param} must be a string (got ${describeKind(v)})`);
  if (opts.nonEmpty && v.length === 0) invalid(param, `${param} must not be empty`);
  return v;
}

/** OpenAI's identifier rule for function and schema names: 1–64 of a-z, A-Z, 0-9, `_`, `-`. */
export function requireIdentifier(obj: JsonObject, key: string, path: string): string {
  const v = requireString(obj, key, path);
  if (!/^[a-zA-Z0-9_-]{1,64}$/.test(v)) {
    const param = fieldPath(path, key);
    invalid(param, `${param} must be 1 to 64 characters of a-z, A-Z, 0-9, underscore or dash`);
  }
  return v;
}

export function optionalString(obj: JsonObject, key: string, path: string): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') {
    const param = fieldPath(path, key);
    invalid(param, `${param} must be a string (got ${describeKind(v)})`);
  }
  return v;
}

export function optionalBoolean(obj: JsonObject, key: string, path: string): boolean | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') {
    const param = fieldPath(path, key);
    invalid(param, `${param} must be true or false (got ${describeKind(v)})`);
  }
  return v;
}

/** A finite number in [min, max]. */
export function optionalNumber(obj: JsonObject, key: string, path: string, range: Range): number | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < range.min || v > range.max) {
    const param = fieldPath(path, key);
    invalid(param, `${param} must be a number between ${range.min} and ${range.max} (got ${describeKind(v)})`);
  }
  return v;
}

/** A whole number in [min, max] (default: any whole number). */
export function optionalInteger(obj: JsonObject, key: string, path: string, range?: Range): number | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || (range !== undefined && (v < range.min || v > range.max))) {
    const param = fieldPath(path, key);
    invalid(param, range === undefined ? `${param} must be an integer (got ${describeKind(v)})` : `${param} must be an integer between ${range.min} and ${range.max} (got ${describeKind(v)})`);
  }
  return v;
}

/** A whole number ≥ 1 (token counts). */
export function optionalPositiveInteger(obj: JsonObject, key: string, path: string): number | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    const param = fieldPath(path, key);
    invalid(param, `${param} must be a positive integer (got ${describeKind(v)})`);
  }
  return v;
}

/** One of a fixed list of strings. */
export function optionalOneOf<const T extends string>(obj: JsonObject, key: string, path: string, values: readonly T[]): T | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
    const param = fieldPath(path, key);
    invalid(param, `${param} must be one of ${values.map((x) => `'${x}'`).join(', ')} (got ${typeof v === 'string' ? `'${v.slice(0, 40)}'` : describeKind(v)})`);
  }
  return v as T;
}

export function optionalObject(obj: JsonObject, key: string, path: string): JsonObject | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  return asObject(v, fieldPath(path, key));
}

/** An array of at least `minItems` items (default 0); items are checked by the caller. */
export function optionalArray(obj: JsonObject, key: string, path: string, minItems = 0): readonly unknown[] | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  const param = fieldPath(path, key);
  if (!Array.isArray(v)) invalid(param, `${param} must be an array (got ${describeKind(v)})`);
  if (v.length < minItems) invalid(param, `${param} must not be empty`);
  return v;
}

export function requireArray(obj: JsonObject, key: string, path: string, minItems = 0): readonly unknown[] {
  const v = optionalArray(obj, key, path, minItems);
  if (v === undefined) invalid(fieldPath(path, key), `${fieldPath(path, key)} is required`);
  return v;
}

/** A map of string values (OpenAI `metadata`). */
export function optionalStringMap(obj: JsonObject, key: string, path: string): JsonObject | undefined {
  const map = optionalObject(obj, key, path);
  if (map !== undefined) for (const k in map) requireString(map, k, fieldPath(path, key));
  return map;
}

/** Copies `obj` without its `undefined` members, so normalised params hold only what was set. */
export function compact<T extends object>(obj: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out as T;
}
