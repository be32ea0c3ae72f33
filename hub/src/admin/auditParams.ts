import { AUDIT_EVENTS, MAX_QUERY_LIMIT, type AuditEvent, type AuditFilter, type AuditQuery, type ChainHead } from '../audit/index.ts';
import { optional, parseQueryParams, queryInteger, queryText } from '../validation/bodyRules.ts';
import { invalid } from '../validation/invalid.ts';

/**
 * The query parameters of the audit routes, declared once: auditRoutes.ts parses with these shapes
 * and openapi.ts documents them from the same declarations (as requestBodies.ts does for bodies).
 * Unknown parameters are refused: a mistyped filter must not silently widen what an auditor reads.
 *
 * Filter values are checked here only for form (given once, not empty); their meaning — a time, a
 * UUID, an event name — is checked by the audit module's own filter (queryAudit.ts), which throws the
 * same `invalid_request_error` with `param`. One home for what a valid filter is.
 */

const uuidParam = (what: string) => optional(queryText({ type: 'string', format: 'uuid' }, { max: 64 }), what);

export const auditFilterParams = {
  from: optional(
    queryText({ type: 'string', format: 'date-time' }),
    'records at or after this time (ISO 8601, e.g. 2026-01-31T00:00:00Z; encode a "+" in an offset as %2B)',
  ),
  to: optional(queryText({ type: 'string', format: 'date-time' }), 'records before this time (ISO 8601, exclusive)'),
  key_id: uuidParam('only records of this API key'),
  node_id: uuidParam('only records naming this node'),
  org_id: uuidParam("only records of this organization (the key's org)"),
  event: optional(queryText({ type: 'string', enum: [...AUDIT_EVENTS] }), 'only this kind of record: route (written before dispatch), complete, refuse'),
  after_seq: optional(queryInteger({ min: 0 }), "only records with a greater seq: pass the previous page's next_after_seq"),
};

export const auditQueryParams = {
  ...auditFilterParams,
  limit: optional(queryInteger({ min: 1, max: MAX_QUERY_LIMIT }), `page size, 1 to ${MAX_QUERY_LIMIT} (default 100)`),
};

const HASH_HEX = /^[0-9a-fA-F]{64}$/;

export const auditVerifyParams = {
  anchor_seq: optional(queryInteger({ min: 1 }), 'head.seq of an earlier verify (give anchor_hash with it)'),
  anchor_hash: optional(
    queryText({ type: 'string', pattern: HASH_HEX.source }, { min: 64, max: 64, pattern: HASH_HEX, hint: 'must be 64 hex digits: head.hash of an earlier verify' }),
    'head.hash of that verify (give anchor_seq with it): the record at anchor_seq must still carry this hash',
  ),
};

export function parseAuditQuery(query: Record<string, unknown>): AuditQuery {
  const q = parseQueryParams(query, auditQueryParams);
  // `event` is checked against AUDIT_EVENTS by queryAudit, with param "event".
  return { ...q, event: q.event as AuditEvent | undefined };
}

/** The export takes the filters but no `limit`: it streams every matching record. */
export function parseAuditFilter(query: Record<string, unknown>): AuditFilter {
  const f = parseQueryParams(query, auditFilterParams);
  return { ...f, event: f.event as AuditEvent | undefined };
}

/** The checkpoint to verify against, if any. Both parameters or neither: half an anchor is a mistake, not "no anchor". */
export function parseVerifyAnchor(query: Record<string, unknown>): ChainHead | undefined {
  const { anchor_seq: seq, anchor_hash: hash } = parseQueryParams(query, auditVerifyParams);
  if (seq === undefined && hash === undefined) return undefined;
  const together = 'give anchor_seq and anchor_hash together (head.seq and head.hash of an earlier verify)';
  if (hash === undefined) invalid('anchor_hash', `anchor_hash is missing: ${together}`);
  if (seq === undefined) invalid('anchor_seq', `anchor_seq is missing: ${together}`);
  return { seq, hash: hash.toLowerCase() };
}
