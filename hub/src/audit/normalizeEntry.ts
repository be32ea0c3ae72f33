import { HubError } from '../errors/index.ts';
import type { HashedFields } from './canonicalRecord.ts';
import { canonicalJson } from './canonicalRecord.ts';
import { isContentKey } from './contentKeys.ts';
import { AUDIT_EVENTS, type AuditEntry } from './types.ts';

/** The stored fields of an entry before it gets its place in the chain. */
export type EntryFields = Omit<HashedFields, 'seq' | 'at'>;

const MAX_STRING = 1024;
const MAX_DETAIL_CHARS = 8192;
const MAX_DEPTH = 8;
const MAX_INT4 = 2 ** 31 - 1;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Turns an entry into exactly what will be stored, or throws a HubError (`internal_error`: only a bug
 * in the hub produces a bad entry). Runs in append() *before* queueing, for two reasons:
 *  - one bad entry must never fail the group-committed batch it would share with other requests, so
 *    everything PostgreSQL could refuse (non-UUID ids, NUL characters, lone surrogates, integers out
 *    of range, oversized detail) is rejected or repaired here;
 *  - the hash is computed from these values and re-computed by verify from what PostgreSQL returns,
 *    so they must survive the round trip unchanged (lower-case UUIDs, JSON-representable values).
 * Only the known fields are copied: nothing else on the entry object can reach the database.
 * Strings are repaired rather than refused (NUL → U+FFFD, lone surrogates → U+FFFD, cut at 1024
 * characters) because they may quote untrusted text such as a node's error message.
 */
export function normalizeEntry(entry: AuditEntry): EntryFields {
  rejectContentKeys(entry, 'entry', 0);
  if (!(AUDIT_EVENTS as readonly string[]).includes(entry.event)) bug(`event must be one of ${AUDIT_EVENTS.join(', ')}, got ${JSON.stringify(entry.event)}`);
  if (typeof entry.outcome !== 'string' || entry.outcome === '') bug('outcome must be a non-empty string');
  if (typeof entry.request_id !== 'string' || entry.request_id === '') bug('request_id must be a non-empty string');
  const detail = entry.detail == null ? null : (jsonValue(entry.detail, 'detail', 0) as Record<string, unknown>);
  if (detail !== null && canonicalJson(detail).length > MAX_DETAIL_CHARS) bug(`detail is larger than ${MAX_DETAIL_CHARS} characters`);
  return {
    event: entry.event,
    request_id: sanitize(entry.request_id),
    key_id: uuid(entry.key_id, 'key_id'),
    org_id: uuid(entry.org_id, 'org_id'),
    model: text(entry.model, 'model'),
    node_id: uuid(entry.node_id, 'node_id'),
    node_region: text(entry.node_region, 'node_region'),
    node_org_id: uuid(entry.node_org_id, 'node_org_id'),
    node_trust: text(entry.node_trust, 'node_trust'),
    policy: entry.policy == null ? null : (jsonValue(entry.policy, 'policy', 0) as EntryFields['policy']),
    outcome: sanitize(entry.outcome),
    error_code: text(entry.error_code, 'error_code'),
    prompt_tokens: count(entry.prompt_tokens, 'prompt_tokens'),
    completion_tokens: count(entry.completion_tokens, 'completion_tokens'),
    timings: timings(entry.timings),
    detail,
  };
}

function bug(message: string): never {
  throw new HubError('internal_error', `audit entry refused: ${message} (this is a bug in the hub)`);
}

function rejectContentKeys(value: unknown, path: string, depth: number): void {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return;
  for (const [k, v] of Object.entries(value)) {
    if (isContentKey(k)) bug(`${path}.${k} would store prompt or completion content, which the audit log never holds`);
    rejectContentKeys(v, `${path}.${k}`, depth + 1);
  }
}

function sanitize(s: string): string {
  const clean = s.replaceAll('\u0000', '\uFFFD');
  return (clean.length > MAX_STRING ? `${clean.slice(0, MAX_STRING)}…[truncated]` : clean).toWellFormed();
}

function text(v: unknown, field: string): string | null {
  if (v == null) return null;
  if (typeof v !== 'string') bug(`${field} must be a string or null`);
  return sanitize(v);
}

function uuid(v: unknown, field: string): string | null {
  if (v == null) return null;
  if (typeof v !== 'string' || !UUID.test(v)) bug(`${field} must be a UUID or null, got ${JSON.stringify(v)}`);
  return v.toLowerCase();
}

function count(v: unknown, field: string): number | null {
  if (v == null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_INT4) bug(`${field} must be a non-negative integer below 2^31`);
  return v;
}

function timings(v: unknown): Record<string, number> | null {
  if (v == null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) bug('timings must be an object of milliseconds');
  const out: Record<string, number> = {};
  for (const [k, ms] of Object.entries(v)) {
    if (ms === undefined) continue;
    if (typeof ms !== 'number' || !Number.isFinite(ms)) bug(`timings.${k} must be a finite number of milliseconds`);
    out[sanitize(k)] = ms === 0 ? 0 : ms; // -0 would not survive jsonb
  }
  return out;
}

/** A deep copy holding only what JSON (and jsonb) can carry, as JSON.stringify would see it. */
function jsonValue(v: unknown, path: string, depth: number): unknown {
  if (depth > MAX_DEPTH) bug(`${path} is nested deeper than ${MAX_DEPTH} levels`);
  if (v === null || typeof v === 'boolean') return v;
  if (typeof v === 'string') return sanitize(v);
  if (typeof v === 'number') return Number.isFinite(v) ? (v === 0 ? 0 : v) : null;
  if (typeof v !== 'object') bug(`${path} holds a ${typeof v}, which JSON cannot carry`);
  const withJson = v as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === 'function') return jsonValue(withJson.toJSON(), path, depth + 1);
  if (Array.isArray(v)) return v.map((x, i) => (x === undefined ? null : jsonValue(x, `${path}[${i}]`, depth + 1)));
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (x !== undefined) out[sanitize(k)] = jsonValue(x, `${path}.${k}`, depth + 1);
  }
  return out;
}
