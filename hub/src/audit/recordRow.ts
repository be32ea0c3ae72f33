import { HASHED_FIELDS } from './canonicalRecord.ts';
import type { AuditRecord } from './types.ts';

/** The columns of `audit_records`, in one place for append, query, export and verify. */
export const RECORD_COLUMNS = [...HASHED_FIELDS, 'prev_hash', 'hash'] as const;

export type RecordColumn = (typeof RECORD_COLUMNS)[number];

export const SELECT_COLUMNS = RECORD_COLUMNS.join(', ');

/** SQL types of the columns, as in 0001_initial.sql (appendBatch decodes its JSON batch with them). */
export const COLUMN_SQL_TYPES: Record<RecordColumn, string> = {
  seq: 'bigint',
  at: 'timestamptz',
  event: 'text',
  request_id: 'text',
  key_id: 'uuid',
  org_id: 'uuid',
  model: 'text',
  node_id: 'uuid',
  node_region: 'text',
  node_org_id: 'uuid',
  node_trust: 'text',
  policy: 'jsonb',
  outcome: 'text',
  error_code: 'text',
  prompt_tokens: 'integer',
  completion_tokens: 'integer',
  timings: 'jsonb',
  detail: 'jsonb',
  prev_hash: 'text',
  hash: 'text',
};

/**
 * A database row as an AuditRecord with exactly the values that were hashed. Independent of the pool's
 * global type parsers: `seq` may arrive as string or number, `at` as Date or string.
 */
export function rowToRecord(row: Record<string, unknown>): AuditRecord {
  const record: Record<string, unknown> = {};
  for (const c of RECORD_COLUMNS) record[c] = row[c] ?? null;
  record.seq = Number(row.seq);
  record.at = new Date(row.at as string | Date).toISOString();
  return record as unknown as AuditRecord;
}
