import { createHash } from 'node:crypto';
import type { AuditRecord } from './types.ts';

/**
 * The one definition of what a record's hash covers and how it is serialised. Used by append
 * (batchWriter.ts), online verification (verifyChain.ts), the export (exportAudit.ts) and the offline
 * verifier (verifyExport.ts). This file must stay free of runtime imports other than node:crypto so
 * that verifyExport.ts runs standalone on an auditor's machine.
 *
 *   hash(n) = sha256hex( prev_hash(n) + "\n" + canonicalJson(hashed fields of record n) )
 *   prev_hash(1) = 64 zeros
 *
 * Canonical JSON is RFC 8785 (JCS) for the values a record can hold: object keys sorted by UTF-16
 * code units, no whitespace, strings and numbers exactly as ECMAScript JSON.stringify writes them.
 * An auditor can therefore re-implement verification in any language with a JCS library.
 */

export const GENESIS_HASH = '0'.repeat(64);

/** Every record field the hash covers — all of them except `prev_hash` and `hash` themselves. */
export const HASHED_FIELDS = [
  'seq',
  'at',
  'event',
  'request_id',
  'key_id',
  'org_id',
  'model',
  'node_id',
  'node_region',
  'node_org_id',
  'node_trust',
  'policy',
  'outcome',
  'error_code',
  'prompt_tokens',
  'completion_tokens',
  'timings',
  'detail',
] as const satisfies readonly (keyof AuditRecord)[];

export type HashedFields = Pick<AuditRecord, (typeof HASHED_FIELDS)[number]>;

/** Deterministic JSON (JCS). Throws on values JSON cannot represent exactly (undefined at top level, NaN, functions, bigint). */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON cannot represent the number ${value}`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj)
        .filter((k) => obj[k] !== undefined)
        .sort();
      return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
    }
    default:
      throw new TypeError(`canonical JSON cannot represent a ${typeof value}`);
  }
}

/** The canonical text of a record's hashed fields; missing fields count as null. */
export function canonicalRecord(record: HashedFields): string {
  const picked: Record<string, unknown> = {};
  for (const f of HASHED_FIELDS) picked[f] = record[f] ?? null;
  return canonicalJson(picked);
}

export function recordHash(prevHash: string, record: HashedFields): string {
  return createHash('sha256').update(`${prevHash}\n${canonicalRecord(record)}`, 'utf8').digest('hex');
}

/** One export line: every field including prev_hash and hash, canonical, newline-terminated. */
export function canonicalExportLine(record: AuditRecord): string {
  return `${canonicalJson({ ...Object.fromEntries(HASHED_FIELDS.map((f) => [f, record[f] ?? null])), prev_hash: record.prev_hash, hash: record.hash })}\n`;
}
