import { RELEASE_VERSION } from '@porten/shared/version';
import { auditFilterParams, auditQueryParams, auditVerifyParams } from './auditParams.ts';
import { listOf, ref, schemas } from './openapiSchemas.ts';
import { approveBody, installBody, keyCreateBody, keyPatchBody, modelBody, modelImportParams, nodePatchBody, orgBody, tokenBody } from './requestBodies.ts';
import { ADMIN_ONLY, ANY_ROLE, MANAGERS } from './roles.ts';
import { queryParameters, shapeSchema, type JsonSchema } from '../validation/bodyRules.ts';

/**
 * The admin API as OpenAPI 3.1, served at GET /admin/v1/openapi.json. Request bodies and query
 * parameters come from the shapes the routes validate with (requestBodies.ts, auditParams.ts);
 * response schemas are written in openapiSchemas.ts. openapi.test.ts fails when a registered route is
 * missing here (or the other way round) or when the roles differ. `x-porten-roles` lists the roles
 * that may call an operation.
 */

const ERRORS: Record<string, string> = {
  '400': 'invalid_request_error: malformed JSON, an unknown field or query parameter, or a bad value (`param` names the field or parameter)',
  '401': 'invalid_admin_token: missing, malformed, unknown or revoked token',
  '403': 'insufficient_role: the token\'s role may not call this route',
  '404': 'not_found: no such id or code',
  '409': 'conflict: the resource is not in a state that allows this (already decided, revoked, duplicate name)',
  '410': 'enrollment_expired: the enrollment code expired',
  '413': 'request_too_large: body over 256 KiB',
  '415': 'unsupported_media_type: the body is not of the content type this route takes',
  '503': 'service_unavailable: the database cannot be reached',
};

function errorResponses(statuses: string[], texts: Record<string, string> = {}): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const s of statuses) out[s] = { description: texts[s] ?? ERRORS[s], content: { 'application/json': { schema: ref('Error') } } };
  return out;
}

const pathParam = (name: string, description: string): JsonSchema => ({ name, in: 'path', required: true, schema: { type: 'string' }, description });

/**
 * One authenticated operation. Every one can fail with 401/403/503; reads add 404 where they take an
 * id, writes add 400/413. `body` is a JSON body; `rawBody` a non-JSON one (e.g. a file upload), with
 * `errorTexts` saying what its errors mean where that differs from the JSON routes.
 */
function op(o: {
  summary: string;
  roles: readonly string[];
  ok: Record<string, JsonSchema>;
  body?: JsonSchema;
  rawBody?: { contentType: string; description: string };
  params?: JsonSchema[];
  errors?: string[];
  errorTexts?: Record<string, string>;
  description?: string;
}): JsonSchema {
  const requestBody = o.body
    ? { required: true, content: { 'application/json': { schema: o.body } } }
    : o.rawBody
      ? { required: true, description: o.rawBody.description, content: { [o.rawBody.contentType]: { schema: { type: 'string', format: 'binary' } } } }
      : undefined;
  return {
    summary: o.summary,
    ...(o.description ? { description: o.description } : {}),
    'x-porten-roles': [...o.roles],
    security: [{ adminToken: [] }],
    ...(o.params ? { parameters: o.params } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses: { ...o.ok, ...errorResponses([...(requestBody ? ['400', '413'] : []), ...(o.errors ?? []), '401', '403', '503'], o.errorTexts) },
  };
}

const success = (status: string, schema: JsonSchema, description: string) => ({ [status]: { description, content: { 'application/json': { schema } } } });
const ok = (schema: JsonSchema, description = 'OK') => success('200', schema, description);
const created = (schema: JsonSchema) => success('201', schema, 'created');

const idParam = (what: string) => pathParam('id', `the ${what} id`);
const codeParam = pathParam('user_code', 'the code the node printed, e.g. ABCD-EFGH (any case; the dash is optional)');

export function openApiDocument(): JsonSchema {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Porten hub admin API',
      version: RELEASE_VERSION,
      description:
        'Administration of a Porten hub: organizations, API keys and their routing policy, node enrollment and approval, nodes, the model catalog, admin tokens, ' +
        'and the hash-chained audit log (read-only). ' +
        'Authenticate with `Authorization: Bearer <admin token>`. Roles: admin (everything), operator (everything but admin tokens), auditor (read-only). ' +
        'Errors use the OpenAI shape `{"error":{message,type,code,param}}`. Lists are `{"data":[...]}`.',
    },
    servers: [{ url: '/admin/v1' }],
    components: {
      securitySchemes: { adminToken: { type: 'http', scheme: 'bearer', description: 'HUB_ADMIN_TOKEN or a token from POST /tokens' } },
      schemas,
    },
    paths: {
      '/openapi.json': {
        get: { summary: 'This document', security: [], 'x-porten-roles': [], responses: { '200': { description: 'OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } } } },
      },
      '/installs': {
        get: op({ summary: 'Install records: what was installed from signed offline bundles, newest first', roles: ANY_ROLE, ok: ok(listOf('InstallRecord')) }),
        post: op({
          summary: 'Record an install (portenctl airgap install does, once an install finished)',
          description: 'Append-only: no route changes or deletes a record.',
          roles: MANAGERS,
          body: shapeSchema(installBody),
          ok: created(ref('InstallRecord')),
        }),
      },
      '/orgs': {
        get: op({ summary: 'List organizations', roles: ANY_ROLE, ok: ok(listOf('Org')) }),
        post: op({ summary: 'Create an organization', roles: MANAGERS, body: shapeSchema(orgBody), ok: created(ref('Org')), errors: ['409'] }),
      },
      '/keys': {
        get: op({
          summary: 'List API keys (never their secrets)',
          roles: ANY_ROLE,
          params: [{ name: 'org_id', in: 'query', required: false, schema: { type: 'string', format: 'uuid' }, description: 'only keys of this organization' }],
          ok: ok(listOf('ApiKey')),
          errors: ['400'],
        }),
        post: op({
          summary: 'Create an API key with its routing policy',
          description: 'The response carries the secret in `key`; it is shown only once and only its hash is stored.',
          roles: MANAGERS,
          body: shapeSchema(keyCreateBody),
          ok: created(ref('ApiKeyCreated')),
        }),
      },
      '/keys/{id}': {
        get: op({ summary: 'One API key', roles: ANY_ROLE, params: [idParam('key')], ok: ok(ref('ApiKey')), errors: ['404'] }),
        patch: op({
          summary: 'Change a key\'s name or policy',
          roles: MANAGERS,
          params: [idParam('key')],
          body: shapeSchema(keyPatchBody, { patch: true }),
          ok: ok(ref('ApiKey')),
          errors: ['404', '409'],
        }),
        delete: op({ summary: 'Revoke a key (takes effect on every replica at once)', roles: MANAGERS, params: [idParam('key')], ok: ok(ref('ApiKey')), errors: ['404'] }),
      },
      '/enrollments': {
        get: op({
          summary: 'List node enrollments',
          roles: ANY_ROLE,
          params: [{ name: 'status', in: 'query', required: false, schema: { type: 'string', enum: ['pending', 'approved', 'denied', 'completed'] }, description: 'pending excludes expired ones' }],
          ok: ok(listOf('Enrollment')),
          errors: ['400'],
        }),
      },
      '/enrollments/{user_code}': {
        get: op({ summary: 'One enrollment by its user code', roles: ANY_ROLE, params: [codeParam], ok: ok(ref('Enrollment')), errors: ['404'] }),
      },
      '/enrollments/{user_code}/approve': {
        post: op({
          summary: 'Approve an enrollment: creates the node with the operator\'s org, region and trust class',
          description: 'The node\'s credential is issued to the agent on its next poll (POST /v1/nodes/enroll/poll), once.',
          roles: MANAGERS,
          params: [codeParam],
          body: shapeSchema(approveBody),
          ok: ok(ref('ApproveResult')),
          errors: ['404', '409', '410'],
        }),
      },
      '/enrollments/{user_code}/deny': {
        post: op({ summary: 'Deny an enrollment', roles: MANAGERS, params: [codeParam], ok: ok(ref('DenyResult')), errors: ['400', '404', '409', '410'] }),
      },
      '/nodes': {
        get: op({ summary: 'List nodes with live presence', roles: ANY_ROLE, ok: ok(listOf('Node')) }),
      },
      '/nodes/{id}': {
        get: op({ summary: 'One node', roles: ANY_ROLE, params: [idParam('node')], ok: ok(ref('Node')), errors: ['404'] }),
        patch: op({
          summary: 'Change a node\'s region, trust class or name (nothing else)',
          roles: MANAGERS,
          params: [idParam('node')],
          body: shapeSchema(nodePatchBody, { patch: true }),
          ok: ok(ref('Node')),
          errors: ['404', '409'],
        }),
      },
      '/nodes/{id}/revoke': {
        post: op({
          summary: 'Revoke a node: its credential is void and its tunnel is cut on every replica',
          roles: MANAGERS,
          params: [idParam('node')],
          ok: ok(ref('Node')),
          errors: ['400', '404'],
        }),
      },
      '/models': {
        get: op({ summary: 'The model catalog', roles: ANY_ROLE, ok: ok(listOf('Model')) }),
        post: op({
          summary: 'Create or replace a catalog entry (by id)',
          roles: MANAGERS,
          body: shapeSchema(modelBody),
          ok: { ...ok(ref('Model'), 'replaced an existing entry'), ...created(ref('Model')) },
        }),
      },
      '/models/{id}': {
        get: op({ summary: 'One catalog entry', roles: ANY_ROLE, params: [pathParam('id', 'the model id; encode "/" as %2F')], ok: ok(ref('Model')), errors: ['404'] }),
      },
      '/models/{id}/weights': {
        put: op({
          summary: 'Import a GGUF model file into the hub\'s mirror and create or update its catalog entry',
          description:
            'The body is the file itself, streamed (never buffered). The hub checks the GGUF header, hashes the file while storing it, ' +
            'and only then sets the entry\'s format (gguf), sha256 and size_bytes; other fields come from the query, else the existing entry, else the defaults. ' +
            'Importing the same file again is idempotent. Nodes download the blob from GET /v1/nodes/mirror/{sha256} with their node credential.',
          roles: MANAGERS,
          params: [pathParam('id', 'the model id; encode "/" as %2F'), ...queryParameters(modelImportParams)],
          rawBody: { contentType: 'application/octet-stream', description: 'the GGUF file (magic "GGUF", version 2 or 3)' },
          ok: { ...ok(ref('Model'), 'updated an existing entry'), ...created(ref('Model')) },
          errors: ['415'],
          errorTexts: {
            '400': 'invalid_request_error: not a GGUF file (`param` body), sha256 differs from the expected one (`param` sha256; nothing stored), a bad id or query parameter, or the upload ended early',
            '413': 'request_too_large: the file is larger than HUB_MAX_MODEL_BYTES; nothing stored',
            '503': 'service_unavailable: the database cannot be reached, or the mirror\'s directory is full or not writable',
          },
        }),
      },
      '/tokens': {
        get: op({ summary: 'List admin tokens (never their secrets)', roles: ADMIN_ONLY, ok: ok(listOf('AdminToken')) }),
        post: op({
          summary: 'Create an admin token',
          description: 'The response carries the secret in `token`; it is shown only once and only its hash is stored.',
          roles: ADMIN_ONLY,
          body: shapeSchema(tokenBody),
          ok: created(ref('AdminTokenCreated')),
        }),
      },
      '/tokens/{id}': {
        delete: op({
          summary: 'Revoke an admin token (effective immediately)',
          roles: ADMIN_ONLY,
          params: [idParam('admin token')],
          ok: ok(ref('AdminToken')),
          errors: ['404', '409'],
        }),
      },
      '/audit': {
        get: op({
          summary: 'Query the audit log, one page at a time, oldest first',
          description: 'Filters narrow together. Page with after_seq = the previous next_after_seq; records appear only after the last one, so the cursor never skips or repeats.',
          roles: ANY_ROLE,
          params: queryParameters(auditQueryParams),
          ok: ok(ref('AuditPage')),
          errors: ['400'],
        }),
      },
      '/audit/export': {
        get: op({
          summary: 'Export the audit log as JSON lines (streamed), oldest first',
          description:
            'One canonical JSON AuditRecord per line, hash fields included, up to the head as it was when the export started. ' +
            'An unfiltered export verifies offline with hub/src/audit/verifyExport.ts. Errors before the first line are JSON errors; ' +
            'a failure after it cuts the connection (the transfer is incomplete, never a shorter file that looks whole).',
          roles: ANY_ROLE,
          params: queryParameters(auditFilterParams),
          ok: {
            '200': {
              description: 'JSON lines, each one AuditRecord; Content-Disposition names a file porten-audit-<UTC timestamp>.jsonl',
              content: { 'application/x-ndjson': { schema: ref('AuditRecord') } },
            },
          },
          errors: ['400'],
        }),
      },
      '/audit/verify': {
        get: op({
          summary: 'Verify the hash chain of the whole audit log',
          description:
            'Walks every record in one snapshot and reports the first break (edited, deleted, re-ordered or inserted records). ' +
            'Record head.seq and head.hash outside the hub; a later verify with anchor_seq and anchor_hash set to them also proves that nothing up to that record was rewritten and re-hashed.',
          roles: ANY_ROLE,
          params: queryParameters(auditVerifyParams),
          ok: ok(ref('VerifyResult')),
          errors: ['400'],
        }),
      },
    },
  };
}
