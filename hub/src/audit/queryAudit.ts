import type pg from 'pg';
import { HubError } from '../errors/index.ts';
import { SELECT_COLUMNS, rowToRecord } from './recordRow.ts';
import { storeUnavailable } from './storeUnavailable.ts';
import { AUDIT_EVENTS, type AuditFilter, type AuditPage, type AuditQuery } from './types.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const MAX_QUERY_LIMIT = 1000;

/**
 * The WHERE clause for a filter, validated. Bad values throw HubError `invalid_request_error` with
 * `param` naming the filter field, so the admin API can pass query-string values straight through.
 */
export function auditWhere(filter: AuditFilter): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    clauses.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.from !== undefined) add('at >= ?', time(filter.from, 'from'));
  if (filter.to !== undefined) add('at < ?', time(filter.to, 'to'));
  for (const f of ['key_id', 'node_id', 'org_id'] as const) {
    const v = filter[f];
    if (v === undefined) continue;
    if (typeof v !== 'string' || !UUID.test(v)) throw new HubError('invalid_request_error', `${f} must be a UUID`, { param: f });
    add(`${f} = ?`, v.toLowerCase());
  }
  if (filter.event !== undefined) {
    if (!(AUDIT_EVENTS as readonly string[]).includes(filter.event)) {
      throw new HubError('invalid_request_error', `event must be one of ${AUDIT_EVENTS.join(', ')}`, { param: 'event' });
    }
    add('event = ?', filter.event);
  }
  if (filter.after_seq !== undefined) add('seq > ?', wholeNumber(filter.after_seq, 'after_seq', 0, Number.MAX_SAFE_INTEGER));
  return { where: clauses.length ? `where ${clauses.join(' and ')}` : '', params };
}

/**
 * One page of records matching `query`, **oldest first** (ascending seq) — the chain's own order, which
 * makes `after_seq` a stable keyset cursor: new records only ever appear after the last page.
 */
export async function queryAudit(pool: pg.Pool, query: AuditQuery): Promise<AuditPage> {
  const limit = query.limit === undefined ? 100 : wholeNumber(query.limit, 'limit', 1, MAX_QUERY_LIMIT);
  const { where, params } = auditWhere(query);
  let rows;
  try {
    ({ rows } = await pool.query(`select ${SELECT_COLUMNS} from audit_records ${where} order by seq limit ${limit}`, params));
  } catch (err) {
    throw storeUnavailable(err, 'the audit records could not be read');
  }
  const records = rows.map(rowToRecord);
  return { records, next_after_seq: records.length === limit ? records.at(-1)!.seq : null };
}

function time(v: string, param: string): string {
  const ms = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? Date.parse(v) : Number.NaN;
  if (Number.isNaN(ms)) throw new HubError('invalid_request_error', `${param} must be an ISO 8601 time such as 2026-01-31T00:00:00Z`, { param });
  return new Date(ms).toISOString();
}

function wholeNumber(v: unknown, param: string, min: number, max: number): number {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new HubError('invalid_request_error', `${param} must be a whole number from ${min} to ${max}`, { param });
  }
  return n;
}
