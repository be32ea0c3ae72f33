import { REGION_PATTERN, TRUST_CLASSES } from '../policy/index.ts';
import { MODEL_CAPABILITIES } from '../store/index.ts';
import { boolean, integer, jsonObject, list, nullable, oneOf, optional, queryInteger, queryText, required, text, withDefault, type Rule } from '../validation/bodyRules.ts';
import { invalid } from '../validation/invalid.ts';

/**
 * Every admin request body, declared once: the routes parse with these shapes and the OpenAPI
 * document (openapi.ts) describes them from the same declarations. PATCH shapes are read with
 * `parsePatch`, which makes every field optional (at least one present), so `required` there only
 * documents that the field cannot be cleared.
 */

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SHA256_HEX = /^[0-9a-f]{64}$/;
/** Same rule as the `models.id` check constraint in the schema. */
export const MODEL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;

export const uuid = (): Rule<string> => text({ min: 36, max: 36, pattern: UUID_PATTERN, hint: 'must be an id (UUID) as returned by the admin API' });
export const region = (): Rule<string> =>
  text({ max: 63, pattern: REGION_PATTERN, hint: 'regions are lower-case slugs of letters, digits and dashes, e.g. "eu-west"' });
export const trustClass = () => oneOf(TRUST_CLASSES);
const displayName = () => text({ max: 200 });
export const modelId = () => text({ max: 128, pattern: MODEL_ID_PATTERN, hint: 'model ids are letters, digits and . _ : / - (max 128), e.g. "llama-3.1-8b-q4"' });

export const orgBody = {
  name: required(displayName(), 'the organization name, unique on this hub'),
};

const keyPolicyFields = {
  fleet: withDefault(oneOf(['own', 'any'] as const), 'own', '"own": only nodes of the key\'s organization may serve it; "any": any approved node'),
  regions: withDefault(nullable(list(region())), null, 'regions a serving node must be in; null = any region'),
  min_trust: withDefault(nullable(trustClass()), null, 'lowest trust class a serving node may have; null = any'),
  models: withDefault(nullable(list(modelId())), null, 'catalog model ids this key may use; null = every catalog model'),
};

export const keyCreateBody = {
  org_id: required(uuid(), 'the organization that owns the key'),
  name: required(displayName(), 'a label for people; not secret'),
  ...keyPolicyFields,
};

export const keyPatchBody = {
  name: required(displayName(), 'a label for people; not secret'),
  ...keyPolicyFields,
};

export const approveBody = {
  org_id: required(uuid(), 'the organization that will own the node'),
  region: required(region(), 'the region the node is in, as the operator knows it (never taken from the node)'),
  trust_class: required(trustClass(), 'the trust class the operator assigns to the node'),
  name: optional(displayName(), 'node name; defaults to the name the node enrolled with'),
};

export const nodePatchBody = {
  region: required(region(), 'the region the node is in'),
  trust_class: required(trustClass(), 'the trust class of the node'),
  name: required(displayName(), 'node name'),
};

export const modelBody = {
  id: required(modelId(), 'catalog id clients pass as `model`'),
  format: required(oneOf(['gguf', 'external'] as const), '"gguf": weights served from the hub mirror; "external": the node\'s engine provides the model'),
  sha256: withDefault(nullable(text({ min: 64, max: 64, pattern: SHA256_HEX, hint: 'must be 64 lower-case hex digits' })), null, 'sha256 of the GGUF blob (required for gguf)'),
  size_bytes: withDefault(nullable(integer({ min: 0 })), null, 'size of the GGUF blob in bytes (required for gguf)'),
  context_length: required(integer({ min: 1, max: 10_000_000 }), 'context window in tokens'),
  capabilities: required(list(oneOf(MODEL_CAPABILITIES)), 'what the model can do; "tools" admits requests with tools'),
  memory_mb: withDefault(integer({ min: 0, max: 10_000_000 }), 0, 'memory the loaded model needs, for placement'),
  enabled: withDefault(boolean(), true, 'disabled models stay in the catalog but are not served'),
};

/** A comma-separated list of `values` in a query string or CLI flag (`chat,completions`); duplicates rejected. */
function commaListOf<const T extends string>(values: readonly T[]): Rule<T[]> {
  const inner = list(oneOf(values));
  const one = `(${values.join('|')})`;
  return {
    parse(v, param) {
      if (typeof v !== 'string') invalid(param, `${param} must be given once, as a comma-separated list`);
      return inner.parse(v.split(','), param);
    },
    schema: { type: 'string', pattern: `^${one}(,${one})*$` },
  };
}

/**
 * Query parameters of PUT /models/{id}/weights, and the flags of `porten-hub import-model` (same
 * names with dashes). Fields not given come from the existing entry, else from the defaults named here.
 */
export const modelImportParams = {
  sha256: optional(queryText({ type: 'string', pattern: SHA256_HEX.source }, { min: 64, max: 64, pattern: SHA256_HEX, hint: 'must be 64 lower-case hex digits' }), 'expected sha256 of the file: a mismatch is refused and nothing is stored'),
  context_length: optional(queryInteger({ min: 1, max: 10_000_000 }), 'context window in tokens; default: the existing entry\'s, else 4096'),
  capabilities: optional(commaListOf(MODEL_CAPABILITIES), 'comma-separated, e.g. chat,completions; default: the existing entry\'s, else chat'),
  memory_mb: optional(queryInteger({ min: 0, max: 10_000_000 }), 'memory the loaded model needs; default: kept when the same blob is re-imported, else estimated as 1.2 × the file size'),
  enabled: optional(oneOf(['true', 'false'] as const), 'default: the existing entry\'s, else true'),
};

export const tokenBody = {
  name: required(displayName(), 'who or what uses the token; shown in logs and on approved nodes'),
  role: required(oneOf(['admin', 'operator', 'auditor'] as const), 'admin: everything; operator: all but admin tokens; auditor: read-only'),
};

/** An install record, as `portenctl airgap install` sends it (airgap/src/installRecord.ts). */
export const installBody = {
  version: required(text({ max: 64 }), 'the version installed'),
  revision: withDefault(text({ min: 0, max: 64 }), '', 'the git revision of the release'),
  kind: required(oneOf(['release', 'models'] as const), '"release": the platform; "models": models only'),
  bundle_sha256: required(text({ min: 64, max: 64, pattern: SHA256_HEX, hint: 'the sha256 of the bundle, 64 hex digits' }), 'sha256 of the bundle (all its parts in order)'),
  signer_key_id: required(text({ max: 64 }), 'id of the key that signed the bundle'),
  verification: required(jsonObject({ maxBytes: 64 * 1024 }), 'the verification report of the bundle (portenctl airgap verify --json, without the file list)'),
  images: required(list(jsonObject({ maxBytes: 4096 }), { min: 0, max: 100 }), 'images loaded: {name, id} (none for a model-only bundle)'),
  models: required(list(jsonObject({ maxBytes: 4096 }), { min: 0, max: 1000 }), 'models imported: {id, sha256}'),
  started_at: required(text({ max: 40 }), 'when the install started (ISO 8601)'),
  finished_at: required(text({ max: 40 }), 'when it finished (ISO 8601)'),
};
