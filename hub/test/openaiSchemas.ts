import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

/**
 * Validates values against the official OpenAI component schemas (openai/openai-openapi, MIT), for
 * tests of everything the hub sends: `assertMatchesSchema('CreateChatCompletionResponse', body)`.
 *
 * The schemas are OpenAPI 3, not plain JSON Schema. Once per process they are rewritten for ajv:
 * - `nullable: true` becomes `anyOf: [<the schema>, {type: 'null'}]` (also right beside `$ref`,
 *   `oneOf` and `enum`, where a type union would not admit null);
 * - `x-*` vendor keys, `discriminator`, `example(s)` and `deprecated` are dropped (discriminator
 *   only selects among `oneOf` branches that already exclude each other by their `const` field);
 * - the whole `components` object is registered under one `$id`, so every
 *   `$ref: '#/components/schemas/X'` resolves inside it;
 * - the formats used (`unixtime`, `float`, `date`, `uri`) are defined here, so they are checked
 *   rather than ignored.
 * Each schema is compiled on first use and cached.
 *
 * The schema file is vendored beside this helper (`openai-schemas.json`, MIT, see
 * `openai-schemas.LICENSE`), so tests need nothing outside the repository.
 */

const SCHEMA_FILES = [fileURLToPath(new URL('./openai-schemas.json', import.meta.url))];
const DOC_ID = 'https://openai-openapi.invalid/components.json';
const DROPPED_KEYS = new Set(['discriminator', 'example', 'examples', 'deprecated']);
const MAX_ERRORS_SHOWN = 12;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

let rawSchemas: Record<string, Json> | undefined;
let ajv: Ajv | undefined;
const validators = new Map<string, ValidateFunction>();

/** The official component schemas as published (not rewritten), by name. */
export function officialSchemas(): Readonly<Record<string, Json>> {
  if (rawSchemas === undefined) {
    const file = SCHEMA_FILES.find((f) => existsSync(f));
    if (file === undefined) throw new Error(`openai-schemas.json not found; looked in ${SCHEMA_FILES.join(', ')}`);
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { components?: { schemas?: Record<string, Json> } };
    if (doc.components?.schemas === undefined) throw new Error(`${file} has no components.schemas`);
    rawSchemas = doc.components.schemas;
  }
  return rawSchemas;
}

/** Throws an Error listing what does not match when `value` is not a valid `name` (e.g. `ListModelsResponse`). */
export function assertMatchesSchema(name: string, value: unknown): void {
  const problems = schemaErrors(name, value);
  if (problems.length === 0) return;
  const shown = problems.slice(0, MAX_ERRORS_SHOWN);
  const more = problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : '';
  throw new Error(`value does not match OpenAI schema ${name}:\n  ${shown.join('\n  ')}${more}\nvalue: ${preview(value)}`);
}

/** The mismatches of `value` against schema `name`, one readable line each; empty when it is valid. */
export function schemaErrors(name: string, value: unknown): string[] {
  const validate = validatorFor(name);
  if (validate(value)) return [];
  return (validate.errors ?? []).map(describeError);
}

function validatorFor(name: string): ValidateFunction {
  let validate = validators.get(name);
  if (validate === undefined) {
    if (!Object.hasOwn(officialSchemas(), name)) {
      throw new Error(`no OpenAI schema named ${name}; known: ${Object.keys(officialSchemas()).join(', ')}`);
    }
    validate = compiler().compile({ $ref: `${DOC_ID}#/components/schemas/${name}` });
    validators.set(name, validate);
  }
  return validate;
}

function compiler(): Ajv {
  if (ajv === undefined) {
    ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    ajv.addFormat('unixtime', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= 0 });
    ajv.addFormat('float', { type: 'number', validate: (n: number) => Number.isFinite(n) });
    ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
    ajv.addFormat('uri', (s: string) => URL.canParse(s));
    ajv.addSchema({ $id: DOC_ID, components: { schemas: toJsonSchema(officialSchemas()) } });
  }
  return ajv;
}

/** Rewrites OpenAPI 3 schema objects into JSON Schema ajv understands (see the module comment). */
function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'nullable' || key.startsWith('x-') || DROPPED_KEYS.has(key)) continue;
    // Property maps hold names, not keywords: a property called `nullable` or `example` must survive.
    out[key] = key === 'properties' && value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).map(([prop, schema]) => [prop, toJsonSchema(schema)]))
      : toJsonSchema(value);
  }
  return node.nullable === true ? { anyOf: [out, { type: 'null' }] } : out;
}

function describeError(e: ErrorObject): string {
  const where = e.instancePath === '' ? '(root)' : e.instancePath;
  const params = Object.keys(e.params).length > 0 ? ` ${JSON.stringify(e.params)}` : '';
  return `${where} ${e.message ?? e.keyword}${params} (schema ${e.schemaPath})`;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 600 ? `${text.slice(0, 600)}…` : text;
}
