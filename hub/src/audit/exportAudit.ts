import type pg from 'pg';
import { canonicalExportLine } from './canonicalRecord.ts';
import { auditWhere } from './queryAudit.ts';
import { SELECT_COLUMNS, rowToRecord } from './recordRow.ts';
import { storeUnavailable } from './storeUnavailable.ts';
import type { AuditFilter } from './types.ts';

const PAGE = 1000;

/**
 * Streams the records matching `filter` as JSON lines, oldest first: one canonical JSON object per
 * line (every field, including prev_hash and hash, keys sorted), so an auditor can re-verify an
 * unfiltered export offline with verifyExport.ts. `write` gets chunks of whole lines and is awaited,
 * which gives the caller back-pressure. The export stops at the head as it was when the export
 * started, so it is finite and ends on a hash that can be compared with a verify result.
 * Resolves with the number of records written. Bad filter values throw before anything is written.
 */
export async function exportAudit(pool: pg.Pool, filter: AuditFilter, write: (chunk: string) => unknown): Promise<number> {
  const { where, params } = auditWhere(filter);
  const cursorParam = `$${params.length + 1}`;
  const endParam = `$${params.length + 2}`;
  const sql = `select ${SELECT_COLUMNS} from audit_records ${where ? `${where} and` : 'where'} seq > ${cursorParam} and seq <= ${endParam} order by seq limit ${PAGE}`;
  let count = 0;
  let after = 0;
  let end: number;
  try {
    end = Number((await pool.query('select seq from audit_head where id = 1')).rows[0]?.seq ?? 0);
  } catch (err) {
    throw storeUnavailable(err, 'the audit export could not start');
  }
  for (;;) {
    let rows;
    try {
      ({ rows } = await pool.query(sql, [...params, after, end]));
    } catch (err) {
      throw storeUnavailable(err, `the audit export stopped after ${count} records`);
    }
    if (rows.length === 0) return count;
    await write(rows.map((r) => canonicalExportLine(rowToRecord(r))).join(''));
    count += rows.length;
    if (rows.length < PAGE) return count;
    after = Number(rows.at(-1).seq);
  }
}
