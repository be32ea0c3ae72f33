import type pg from 'pg';
import { ChainCheck } from './chainCheck.ts';
import { SELECT_COLUMNS, rowToRecord } from './recordRow.ts';
import { storeUnavailable } from './storeUnavailable.ts';
import type { ChainHead, VerifyResult } from './types.ts';

export interface VerifyOptions {
  /** An externally kept head from an earlier verify: the record at its seq must still carry its hash. */
  anchor?: ChainHead;
  /** Records fetched per round trip (default 2000). Memory stays bounded by one page. */
  pageSize?: number;
}

/**
 * Walks the whole chain in seq order and reports the first break (see ChainCheck for the rules).
 *
 * Runs in one REPEATABLE READ, read-only transaction so the head and every page come from the same
 * snapshot: appends committing meanwhile are simply not seen, and a record past the snapshot's head
 * can only have been inserted outside the audit log. Pages use a keyset cursor (`seq > last`) on the
 * primary key, so millions of records cost constant memory and no OFFSET scans.
 */
export async function verifyChain(pool: pg.Pool, options: VerifyOptions = {}): Promise<VerifyResult> {
  const pageSize = options.pageSize ?? 2000;
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw storeUnavailable(err, 'the audit chain could not be verified');
  }
  let failure: Error | undefined;
  try {
    await client.query('begin isolation level repeatable read read only');
    const headRow = (await client.query('select seq, hash from audit_head where id = 1')).rows[0] as { seq: string | number; hash: string } | undefined;
    const check = new ChainCheck(options.anchor ? { anchor: options.anchor } : {});
    if (!headRow) {
      await client.query('commit');
      return { ok: false, records: 0, first_bad: { seq: 0, reason: 'the chain head (audit_head) was deleted' }, head: { seq: 0, hash: '' } };
    }
    const head: ChainHead = { seq: Number(headRow.seq), hash: headRow.hash };
    let after = 0;
    for (;;) {
      const { rows } = await client.query(`select ${SELECT_COLUMNS} from audit_records where seq > $1 order by seq limit $2`, [after, pageSize]);
      for (const row of rows) {
        if (check.push(rowToRecord(row))) break;
      }
      if (check.broken || rows.length < pageSize) break;
      after = Number(rows.at(-1).seq);
    }
    await client.query('commit');
    const bad = check.finish(head);
    return { ok: bad === null, records: check.records, first_bad: bad, head };
  } catch (err) {
    failure = err instanceof Error ? err : new Error(String(err));
    await client.query('rollback').catch(() => undefined);
    throw storeUnavailable(failure, 'the audit chain could not be verified');
  } finally {
    client.release(failure ?? false);
  }
}
