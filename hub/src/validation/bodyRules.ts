import { describeShort as describe, invalid } from './invalid.ts';

/**
 * The one body/query validator for the admin API and the enrollment endpoints.
 *
 * A `Rule<T>` turns an untrusted JSON value into a `T` or throws `400 invalid_request_error` whose
 * `param` names the offending field (`regions[1]`, `inventory`, …). Every rule also carries its JSON
 * Schema, so the OpenAPI document is built from the same rules the server enforces and cannot drift.
 * The first problem found is reported (the OpenAI error shape has room for one `param`).
 *
 * Rejected alternative: a general validation library (ajv on request bodies). It would add a runtime
 * dependency and produce messages written for schema authors, not for operators.
 */

export type JsonSchema = Record<string, unknown>;

export interface Rule<T> {
  parse(value: unknown, param: string): T;
  schema: JsonSchema;
}

/** PostgreSQL stores no NUL in text or jsonb: refused here, naming the field, instead of failing the query. */
const NUL_MESSAGE = (param: string) => `${param} contains a NUL character (\\u0000), which the hub does not store; remove it`;


/** A string of `min`..`max` characters (default 1..200), optionally matching `pattern` (explained by `hint`). */
export function text(opts: { min?: number; max?: number; pattern?: RegExp; hint?: string } = {}): Rule<string> {
  const min = opts.min ?? 1;
  const max = opts.max ?? 200;
  return {
    parse(v, param) {
      if (typeof v !== 'string') invalid(param, `${param} must be a string, got ${describe(v)}`);
      if (v.includes('\u0000')) invalid(param, NUL_MESSAGE(param));
      if (v.length < min || v.length > max) invalid(param, `${param} must be ${min} to ${max} characters long`);
      if (opts.pattern && !opts.pattern.test(v)) invalid(param, `${param} ${describe(v)} is not valid: ${opts.hint ?? `must match ${opts.pattern}`}`);
      return v;
    },
    schema: { type: 'string', minLength: min, maxLength: max, ...(opts.pattern ? { pattern: opts.pattern.source } : {}) },
  };
}

/** One of a fixed list of strings. */
export function oneOf<const T extends string>(values: readonly T[]): Rule<T> {
  return {
    parse(v, param) {
      if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
        invalid(param, `${param} must be one of ${values.map((x) => `"${x}"`).join(', ')}; got ${describe(v)}`);
      }
      return v as T;
    },
    schema: { type: 'string', enum: [...values] },
  };
}

/** A whole number in [min, max]. */
export function integer(opts: { min: number; max?: number }): Rule<number> {
  const max = opts.max ?? Number.MAX_SAFE_INTEGER;
  return {
    parse(v, param) {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < opts.min || v > max) {
        invalid(param, `${param} must be a whole number between ${opts.min} and ${max}; got ${describe(v)}`);
      }
      return v;
    },
    schema: { type: 'integer', minimum: opts.min, maximum: max },
  };
}

export function boolean(): Rule<boolean> {
  return {
    parse(v, param) {
      if (typeof v !== 'boolean') invalid(param, `${param} must be true or false; got ${describe(v)}`);
      return v;
    },
    schema: { type: 'boolean' },
  };
}

/** `null` or what `rule` accepts. `null` is meaningful (e.g. "no constraint"), so it is never implied. */
export function nullable<T>(rule: Rule<T>): Rule<T | null> {
  const inner = rule.schema;
  return {
    parse: (v, param) => (v === null ? null : rule.parse(v, param)),
    schema: { anyOf: [inner, { type: 'null' }] },
  };
}

/** An array of `min`..`max` items (default at least one), each checked by `item`; duplicates rejected. */
export function list<T>(item: Rule<T>, opts: { min?: number; max?: number } = {}): Rule<T[]> {
  const min = opts.min ?? 1;
  const max = opts.max ?? 256;
  return {
    parse(v, param) {
      if (!Array.isArray(v)) invalid(param, `${param} must be an array; got ${describe(v)}`);
      if (v.length < min || v.length > max) {
        invalid(param, min === 1 && v.length === 0 ? `${param} must not be empty (use null for "no constraint")` : `${param} must have ${min} to ${max} items`);
      }
      const out = v.map((x, i) => item.parse(x, `${param}[${i}]`));
      out.forEach((x, i) => {
        if (out.indexOf(x) !== i) invalid(`${param}[${i}]`, `${param}[${i}] repeats ${describe(x)}`);
      });
      return out;
    },
    schema: { type: 'array', items: item.schema, minItems: min, maxItems: max, uniqueItems: true },
  };
}

/** Deepest nesting accepted inside a free-form JSON object (an inventory is a few levels deep). */
export const MAX_JSON_OBJECT_DEPTH = 16;

/**
 * Any JSON object whose serialised form is at most `maxBytes` and nesting at most
 * MAX_JSON_OBJECT_DEPTH (agent-supplied data such as a hardware inventory); no NUL in any key or string.
 */
export function jsonObject(opts: { maxBytes: number }): Rule<Record<string, unknown>> {
  return {
    parse(v, param) {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) invalid(param, `${param} must be a JSON object; got ${describe(v)}`);
      if (Buffer.byteLength(JSON.stringify(v)) > opts.maxBytes) invalid(param, `${param} is larger than ${opts.maxBytes} bytes of JSON`);
      checkJsonValue(v, param, 0);
      return v as Record<string, unknown>;
    },
    schema: { type: 'object', description: `any JSON object up to ${opts.maxBytes} bytes and ${MAX_JSON_OBJECT_DEPTH} levels deep` },
  };
}

function checkJsonValue(v: unknown, path: string, depth: number): void {
  if (typeof v === 'string') {
    if (v.includes('\u0000')) invalid(path, NUL_MESSAGE(path));
    return;
  }
  if (typeof v !== 'object' || v === null) return;
  if (depth >= MAX_JSON_OBJECT_DEPTH) invalid(path, `${path} is nested deeper than ${MAX_JSON_OBJECT_DEPTH} levels`);
  if (Array.isArray(v)) {
    v.forEach((x, i) => checkJsonValue(x, `${path}[${i}]`, depth + 1));
    return;
  }
  for (const [k, x] of Object.entries(v)) {
    // A key with a NUL cannot be named in `param` legibly: the object holding it is named instead.
    if (k.includes('\u0000')) invalid(path, `${path} has a key containing a NUL character (\\u0000), which the hub does not store; remove it`);
    checkJsonValue(x, `${path}.${k}`, depth + 1);
  }
}

/** A field of a request body. Built with `required`, `withDefault` or `optional`. */
export interface Field<T> {
  rule: Rule<unknown>;
  presence: 'required' | 'default' | 'optional';
  fallback?: T;
  description: string;
}

export function required<T>(rule: Rule<T>, description: string): Field<T> {
  return { rule, presence: 'required', description };
}

export function withDefault<T>(rule: Rule<T>, fallback: T, description: string): Field<T> {
  return { rule, presence: 'default', fallback, description };
}

export function optional<T>(rule: Rule<T>, description: string): Field<T | undefined> {
  return { rule, presence: 'optional', description };
}

export type Shape = Record<string, Field<unknown>>;
export type Parsed<S extends Shape> = { [K in keyof S]: S[K] extends Field<infer T> ? T : never };

function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    invalid('body', 'request body must be a JSON object (send Content-Type: application/json)');
  }
  return body as Record<string, unknown>;
}

function rejectUnknown(obj: Record<string, unknown>, shape: Shape): void {
  for (const k of Object.keys(obj)) {
    if (!Object.hasOwn(shape, k)) invalid(k, `unknown field ${k}: allowed fields are ${Object.keys(shape).join(', ')}`);
  }
}

/** Parses a whole body: it must be an object with no unknown fields; absent fields take their defaults. */
export function parseBody<S extends Shape>(body: unknown, shape: S): Parsed<S> {
  const obj = asObject(body);
  rejectUnknown(obj, shape);
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(shape)) {
    if (obj[name] === undefined) {
      if (field.presence === 'required') invalid(name, `${name} is required: ${field.description}`);
      out[name] = field.fallback;
    } else {
      out[name] = field.rule.parse(obj[name], name);
    }
  }
  return out as Parsed<S>;
}

/** Parses a PATCH body: only the fields present are returned, and at least one must be present. */
export function parsePatch<S extends Shape>(body: unknown, shape: S): Partial<Parsed<S>> {
  const obj = asObject(body);
  rejectUnknown(obj, shape);
  const out: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(shape)) {
    if (obj[name] !== undefined) out[name] = field.rule.parse(obj[name], name);
  }
  if (Object.keys(out).length === 0) invalid('body', `nothing to change: send at least one of ${Object.keys(shape).join(', ')}`);
  return out as Partial<Parsed<S>>;
}

/** A query-string parameter: absent → undefined, otherwise checked by `rule` (repeated parameters are rejected). */
export function parseQuery<T>(query: Record<string, unknown>, name: string, rule: Rule<T>): T | undefined {
  const v = query[name];
  return v === undefined ? undefined : rule.parse(v, name);
}

/**
 * A whole number written in a query string (`?limit=50`): digits only, in [min, max]. Query values
 * are always text, so `integer` (for JSON bodies) cannot read them.
 */
export function queryInteger(opts: { min: number; max?: number }): Rule<number> {
  const max = opts.max ?? Number.MAX_SAFE_INTEGER;
  return {
    parse(v, param) {
      if (Array.isArray(v)) invalid(param, `${param} is given more than once; give it once`);
      const n = typeof v === 'string' && /^\d{1,16}$/.test(v) ? Number(v) : Number.NaN;
      if (!Number.isSafeInteger(n) || n < opts.min || n > max) {
        invalid(param, `${param} must be a whole number between ${opts.min} and ${max}; got ${describe(v)}`);
      }
      return n;
    },
    schema: { type: 'integer', minimum: opts.min, maximum: max },
  };
}

/**
 * A query-string value taken as text: one occurrence, checked like `text` (default 1..100 characters).
 * Its meaning may be checked further in by the code that owns it (audit filters are validated by
 * queryAudit); `schema` is what the OpenAPI document shows for it.
 */
export function queryText(schema: JsonSchema, opts: { min?: number; max?: number; pattern?: RegExp; hint?: string } = {}): Rule<string> {
  const inner = text({ ...opts, max: opts.max ?? 100 });
  return {
    parse(v, param) {
      if (Array.isArray(v)) invalid(param, `${param} is given more than once; give it once`);
      return inner.parse(v, param);
    },
    schema,
  };
}

/**
 * Parses a whole query string against a shape, like `parseBody`, but unknown parameters are named as
 * parameters: a mistyped filter (`?node=` for `?node_id=`) must be refused, not silently widen a query.
 */
export function parseQueryParams<S extends Shape>(query: Record<string, unknown>, shape: S): Parsed<S> {
  for (const k of Object.keys(query)) {
    if (!Object.hasOwn(shape, k)) {
      const allowed = Object.keys(shape);
      invalid(k, `unknown query parameter ${k}: ${allowed.length ? `allowed are ${allowed.join(', ')}` : 'this route takes none'}`);
    }
  }
  return parseBody(query, shape);
}

/** OpenAPI `parameters` (in: query) for a query shape. */
export function queryParameters(shape: Shape): JsonSchema[] {
  return Object.entries(shape).map(([name, f]) => ({
    name,
    in: 'query',
    required: f.presence === 'required',
    schema: { ...f.rule.schema, ...(f.presence === 'default' ? { default: f.fallback } : {}) },
    description: f.description,
  }));
}

/** The JSON Schema of a body shape (`patch`: every field optional, at least one). */
export function shapeSchema(shape: Shape, opts: { patch?: boolean } = {}): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const [name, f] of Object.entries(shape)) {
    properties[name] = { ...f.rule.schema, description: f.description, ...(f.presence === 'default' && !opts.patch ? { default: f.fallback } : {}) };
  }
  const requiredNames = opts.patch ? [] : Object.entries(shape).filter(([, f]) => f.presence === 'required').map(([n]) => n);
  return {
    type: 'object',
    additionalProperties: false,
    properties,
    ...(requiredNames.length > 0 ? { required: requiredNames } : {}),
    ...(opts.patch ? { minProperties: 1 } : {}),
  };
}

/** For action routes that take no input (deny, revoke): no body or `{}` is fine; any field is rejected by name. */
export function parseEmptyBody(body: unknown): void {
  if (body !== undefined) parseBody(body, {});
}
