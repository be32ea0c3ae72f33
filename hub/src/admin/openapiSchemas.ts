import { AUDIT_EVENTS } from '../audit/index.ts';
import type { JsonSchema } from '../validation/bodyRules.ts';

/**
 * The response schemas of the admin API (components.schemas of the OpenAPI document built in
 * openapi.ts). Request bodies are not here: they come from the shapes the routes validate with.
 * Tests check responses against these (adminTestClient.ts `expectSchema`).
 */

export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });
export const listOf = (name: string): JsonSchema => ({ type: 'object', required: ['data'], properties: { data: { type: 'array', items: ref(name) } } });
const nullableString = { type: ['string', 'null'] };
const timestamp = { type: 'string', format: 'date-time' };
const trust = { type: 'string', enum: ['community', 'verified', 'trusted', 'confidential'] };
const nullableUuid = { type: ['string', 'null'], format: 'uuid' };
const hashHex = { type: 'string', pattern: '^[0-9a-f]{64}$' };
const chainHead = {
  type: 'object',
  required: ['seq', 'hash'],
  properties: { seq: { type: 'integer', minimum: 0 }, hash: { ...hashHex, description: '64 zeros for an empty chain' } },
};

export const schemas: Record<string, JsonSchema> = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['message', 'type', 'code', 'param'],
        properties: {
          message: { type: 'string', description: 'what is wrong and what to do' },
          type: { type: 'string' },
          code: { type: 'string', description: 'stable code, e.g. invalid_admin_token, insufficient_role, not_found, conflict' },
          param: { ...nullableString, description: 'the request field at fault, e.g. regions[1]' },
        },
      },
    },
  },
  InstallRecord: {
    type: 'object',
    required: ['id', 'version', 'revision', 'kind', 'bundle_sha256', 'signer_key_id', 'verification', 'images', 'models', 'started_at', 'finished_at', 'recorded_by', 'recorded_at'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      version: { type: 'string' },
      revision: { type: 'string' },
      kind: { type: 'string', enum: ['release', 'models'] },
      bundle_sha256: hashHex,
      signer_key_id: { type: 'string' },
      verification: { type: 'object', description: 'the verification report (portenctl airgap verify --json, file list replaced by its count)' },
      images: { type: 'array', items: { type: 'object' } },
      models: { type: 'array', items: { type: 'object' } },
      started_at: timestamp,
      finished_at: timestamp,
      recorded_by: { type: 'string', description: 'the admin token that recorded it' },
      recorded_at: timestamp,
    },
  },
  Org: {
    type: 'object',
    required: ['id', 'name', 'created_at'],
    properties: { id: { type: 'string', format: 'uuid' }, name: { type: 'string' }, created_at: timestamp },
  },
  ApiKey: {
    type: 'object',
    required: ['id', 'org_id', 'name', 'prefix', 'fleet', 'regions', 'min_trust', 'models', 'created_at', 'updated_at', 'revoked_at'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      org_id: { type: 'string', format: 'uuid' },
      name: { type: 'string' },
      prefix: { type: 'string', description: 'first characters of the secret, to recognise the key' },
      fleet: { type: 'string', enum: ['own', 'any'] },
      regions: { type: ['array', 'null'], items: { type: 'string' } },
      min_trust: { anyOf: [trust, { type: 'null' }] },
      models: { type: ['array', 'null'], items: { type: 'string' } },
      created_at: timestamp,
      updated_at: timestamp,
      revoked_at: { anyOf: [timestamp, { type: 'null' }] },
    },
  },
  ApiKeyCreated: {
    allOf: [ref('ApiKey'), { type: 'object', required: ['key'], properties: { key: { type: 'string', pattern: '^sk-porten-', description: 'the secret; shown only in this response' } } }],
  },
  Enrollment: {
    type: 'object',
    required: ['user_code', 'name', 'inventory', 'status', 'node_id', 'created_at', 'expires_at', 'age_s', 'expired'],
    properties: {
      user_code: { type: 'string', pattern: '^[A-Z0-9]{4}-[A-Z0-9]{4}$' },
      name: { type: 'string', description: 'the name the node enrolled with' },
      inventory: { type: 'object', description: 'hardware inventory reported by the node (informational only)' },
      status: { type: 'string', enum: ['pending', 'approved', 'denied', 'completed'] },
      node_id: { type: ['string', 'null'], format: 'uuid' },
      created_at: timestamp,
      expires_at: timestamp,
      age_s: { type: 'integer', minimum: 0 },
      expired: { type: 'boolean' },
    },
  },
  ApproveResult: {
    type: 'object',
    required: ['node_id', 'user_code', 'status', 'org_id', 'name', 'region', 'trust_class'],
    properties: {
      node_id: { type: 'string', format: 'uuid' },
      user_code: { type: 'string' },
      status: { const: 'approved' },
      org_id: { type: 'string', format: 'uuid' },
      name: { type: 'string' },
      region: { type: 'string' },
      trust_class: trust,
    },
  },
  DenyResult: {
    type: 'object',
    required: ['user_code', 'status'],
    properties: { user_code: { type: 'string' }, status: { const: 'denied' } },
  },
  Node: {
    type: 'object',
    required: ['id', 'org_id', 'name', 'region', 'trust_class', 'status', 'inventory', 'approved_by', 'created_at', 'updated_at', 'revoked_at', 'online', 'loaded_models', 'last_heartbeat_at'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      org_id: { type: 'string', format: 'uuid' },
      name: { type: 'string' },
      region: { type: 'string', description: 'set by an operator, never by the node' },
      trust_class: trust,
      status: { type: 'string', enum: ['approved', 'revoked'] },
      inventory: { type: 'object' },
      approved_by: { type: 'string' },
      created_at: timestamp,
      updated_at: timestamp,
      revoked_at: { anyOf: [timestamp, { type: 'null' }] },
      online: { type: ['boolean', 'null'], description: 'null when presence cannot be read (Redis unreachable)' },
      loaded_models: { type: ['array', 'null'], items: { type: 'string' }, description: 'null when presence cannot be read' },
      last_heartbeat_at: { anyOf: [timestamp, { type: 'null' }] },
    },
  },
  Model: {
    type: 'object',
    required: ['id', 'format', 'sha256', 'size_bytes', 'context_length', 'capabilities', 'memory_mb', 'enabled', 'created_at', 'updated_at'],
    properties: {
      id: { type: 'string' },
      format: { type: 'string', enum: ['gguf', 'external'] },
      sha256: nullableString,
      size_bytes: { type: ['integer', 'null'] },
      context_length: { type: 'integer' },
      capabilities: { type: 'array', items: { type: 'string', enum: ['chat', 'completions', 'embeddings', 'tools', 'json', 'vision'] } },
      memory_mb: { type: 'integer' },
      enabled: { type: 'boolean' },
      created_at: timestamp,
      updated_at: timestamp,
    },
  },
  AdminToken: {
    type: 'object',
    required: ['id', 'name', 'role', 'created_at', 'revoked_at'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      name: { type: 'string' },
      role: { type: 'string', enum: ['admin', 'operator', 'auditor'] },
      created_at: timestamp,
      revoked_at: { anyOf: [timestamp, { type: 'null' }] },
    },
  },
  AuditRecord: {
    type: 'object',
    description: 'One routing decision. Never holds prompt or completion content. Every field but prev_hash and hash is covered by hash (docs/audit.md).',
    required: [
      'seq', 'at', 'event', 'request_id', 'key_id', 'org_id', 'model', 'node_id', 'node_region', 'node_org_id', 'node_trust', 'policy',
      'outcome', 'error_code', 'prompt_tokens', 'completion_tokens', 'timings', 'detail', 'prev_hash', 'hash',
    ],
    properties: {
      seq: { type: 'integer', minimum: 1, description: 'position in the chain; the order of records' },
      at: { ...timestamp, description: 'when the hub wrote it (millisecond precision)' },
      event: { type: 'string', enum: [...AUDIT_EVENTS], description: 'route: written before the prompt left the hub; complete: after the node finished; refuse: refused' },
      request_id: { type: 'string' },
      key_id: nullableUuid,
      org_id: { ...nullableUuid, description: "the key's organization" },
      model: nullableString,
      node_id: nullableUuid,
      node_region: { ...nullableString, description: "the node's region as the operator set it" },
      node_org_id: { ...nullableUuid, description: 'the organization owning the node' },
      node_trust: { anyOf: [trust, { type: 'null' }] },
      policy: {
        description: "the key's routing policy as enforced for this decision",
        anyOf: [
          {
            type: 'object',
            required: ['fleet', 'regions', 'min_trust', 'models'],
            properties: {
              fleet: { type: 'string', enum: ['own', 'any'] },
              regions: { type: ['array', 'null'], items: { type: 'string' } },
              min_trust: { anyOf: [trust, { type: 'null' }] },
              models: { type: ['array', 'null'], items: { type: 'string' } },
            },
          },
          { type: 'null' },
        ],
      },
      outcome: { type: 'string', description: 'e.g. dispatched, served, failed, refused' },
      error_code: { ...nullableString, description: 'the error code returned to the caller, e.g. no_available_node' },
      prompt_tokens: { type: ['integer', 'null'] },
      completion_tokens: { type: ['integer', 'null'] },
      timings: { type: ['object', 'null'], additionalProperties: { type: 'number' }, description: 'milliseconds: hub_added, ttft, total, …' },
      detail: { type: ['object', 'null'], description: 'other facts about the decision (attempt number, refusal message, …)' },
      prev_hash: { ...hashHex, description: 'hash of record seq-1 (64 zeros for record 1)' },
      hash: { ...hashHex, description: 'sha256 of prev_hash, a newline and the canonical JSON (RFC 8785) of the other fields' },
    },
  },
  AuditPage: {
    type: 'object',
    required: ['data', 'next_after_seq'],
    properties: {
      data: { type: 'array', items: ref('AuditRecord'), description: 'oldest first (ascending seq)' },
      next_after_seq: { type: ['integer', 'null'], description: 'pass as after_seq for the next page; null on the last page' },
    },
  },
  VerifyResult: {
    type: 'object',
    required: ['ok', 'records', 'first_bad', 'head'],
    properties: {
      ok: { type: 'boolean' },
      records: { type: 'integer', minimum: 0, description: 'records checked and found intact before the first break (all of them when ok)' },
      first_bad: {
        description: 'the first record at which the chain breaks, and why; null when ok',
        anyOf: [{ type: 'object', required: ['seq', 'reason'], properties: { seq: { type: 'integer', minimum: 0 }, reason: { type: 'string' } } }, { type: 'null' }],
      },
      head: { ...chainHead, description: 'the head the chain was checked against. Keep it outside the hub: pass it later as anchor_seq/anchor_hash' },
    },
  },
  AdminTokenCreated: {
    allOf: [ref('AdminToken'), { type: 'object', required: ['token'], properties: { token: { type: 'string', pattern: '^porten-admin-', description: 'the secret; shown only in this response' } } }],
  },
};
