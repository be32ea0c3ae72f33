import type pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/testDatabase.ts';
import { createPool } from '../db/pool.ts';
import { createHubMetrics } from '../metrics/index.ts';
import { AuditLog } from './auditLog.ts';
import { recordHash } from './canonicalRecord.ts';
import { SELECT_COLUMNS, rowToRecord } from './recordRow.ts';
import { sampleEntry } from './sampleEntries.ts';
import type { AuditRecord } from './types.ts';
import { verifyChain } from './verifyChain.ts';

/**
 * Tampering is done the way an attacker with database access would: plain SQL, after switching off the
 * append-only triggers. Each test gets a fresh database holding a 10-record chain.
 */
describe('verifyChain (real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;

  beforeEach(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url, 3);
    const log = new AuditLog(pool, createHubMetrics());
    for (let i = 0; i < 10; i++) await log.append(sampleEntry({ detail: { i } }));
    await log.close();
  });
  afterEach(async () => {
    await pool.end();
    await db.drop();
  });

  async function tamper(sql: string, params: unknown[] = []): Promise<void> {
    await pool.query('alter table audit_records disable trigger user');
    await pool.query(sql, params);
    await pool.query('alter table audit_records enable trigger user');
  }

  async function record(seq: number): Promise<AuditRecord> {
    return rowToRecord((await pool.query(`select ${SELECT_COLUMNS} from audit_records where seq = $1`, [seq])).rows[0]);
  }

  it('reports an intact chain with its head, page by page', async () => {
    const head = (await pool.query('select seq, hash from audit_head')).rows[0];
    expect(await verifyChain(pool, { pageSize: 3 })).toEqual({ ok: true, records: 10, first_bad: null, head: { seq: 10, hash: head.hash } });
  });

  it('reports an empty chain as intact', async () => {
    const empty = await createTestDatabase();
    const p = createPool(empty.url, 1);
    try {
      expect(await verifyChain(p)).toEqual({ ok: true, records: 0, first_bad: null, head: { seq: 0, hash: '0'.repeat(64) } });
    } finally {
      await p.end();
      await empty.drop();
    }
  });

  it('refuses ordinary UPDATE, DELETE and TRUNCATE of audit rows', async () => {
    await expect(pool.query(`update audit_records set outcome = 'x' where seq = 5`)).rejects.toThrow(/append-only: UPDATE/);
    await expect(pool.query('delete from audit_records where seq = 10')).rejects.toThrow(/append-only: DELETE/);
    await expect(pool.query('truncate audit_records')).rejects.toThrow(/append-only: TRUNCATE/);
    await expect(pool.query('delete from audit_head')).rejects.toThrow(/append-only: DELETE/);
  });

  it('catches one field of a middle record changed', async () => {
    await tamper(`update audit_records set node_region = 'us-east' where seq = 5`);
    expect(await verifyChain(pool)).toMatchObject({
      ok: false,
      records: 4,
      first_bad: { seq: 5, reason: 'record 5 was altered: stored hash does not match its contents' },
    });
  });

  it('catches a middle record deleted, also across a page boundary', async () => {
    await tamper('delete from audit_records where seq = 4');
    expect(await verifyChain(pool, { pageSize: 3 })).toMatchObject({ ok: false, records: 3, first_bad: { seq: 4, reason: 'record 4 is missing' } });
  });

  it('catches the last record deleted (head still says 10)', async () => {
    await tamper('delete from audit_records where seq = 10');
    expect(await verifyChain(pool)).toMatchObject({ ok: false, records: 9, first_bad: { seq: 10, reason: 'records after 9 were removed: head says 10' } });
  });

  it('catches a truncated table', async () => {
    await tamper('truncate audit_records');
    expect(await verifyChain(pool)).toMatchObject({ ok: false, records: 0, first_bad: { seq: 1, reason: 'all records were removed: head says 10' } });
  });

  it('catches two records swapped (re-ordered)', async () => {
    await tamper('update audit_records set seq = 1000 where seq = 4');
    await tamper('update audit_records set seq = 4 where seq = 6');
    await tamper('update audit_records set seq = 6 where seq = 1000');
    expect(await verifyChain(pool)).toMatchObject({ ok: false, records: 3, first_bad: { seq: 4, reason: 'record 4 was altered: stored hash does not match its contents' } });
  });

  it('catches a record edited and re-hashed, through the next record’s prev_hash', async () => {
    const r = { ...(await record(5)), outcome: 'refused' };
    await tamper(`update audit_records set outcome = $1, hash = $2 where seq = 5`, [r.outcome, recordHash(r.prev_hash, r)]);
    expect(await verifyChain(pool)).toMatchObject({
      ok: false,
      records: 4,
      first_bad: { seq: 5, reason: expect.stringMatching(/^record 5 was altered and its hash recomputed: record 6 links to a different hash/) },
    });
  });

  it('catches the last record edited and re-hashed, through the head', async () => {
    const r = { ...(await record(10)), node_trust: 'confidential' };
    await tamper(`update audit_records set node_trust = $1, hash = $2 where seq = 10`, [r.node_trust, recordHash(r.prev_hash, r)]);
    expect(await verifyChain(pool)).toMatchObject({ ok: false, records: 9, first_bad: { seq: 10, reason: expect.stringMatching(/^record 10 does not match the head/) } });
  });

  it('catches a record forged past the head', async () => {
    const last = await record(10);
    const forged = { ...last, seq: 11, prev_hash: last.hash };
    await tamper(`insert into audit_records (${SELECT_COLUMNS}) select ${SELECT_COLUMNS} from jsonb_populate_record(null::audit_records, $1)`, [
      JSON.stringify({ ...forged, hash: recordHash(forged.prev_hash, forged) }),
    ]);
    expect(await verifyChain(pool)).toMatchObject({ ok: false, records: 10, first_bad: { seq: 11, reason: expect.stringMatching(/^record 11 lies beyond the head \(head says 10\)/) } });
  });

  it('cannot see a full rewrite of records and head — but a checkpoint kept outside the hub does', async () => {
    const checkpoint = (await verifyChain(pool)).head;
    // A superuser rewrites every record from 3 on, re-chains them and moves the head.
    let prev = (await record(2)).hash;
    for (let seq = 3; seq <= 10; seq++) {
      const r = { ...(await record(seq)), outcome: 'rewritten', prev_hash: prev };
      r.hash = recordHash(prev, r);
      await tamper('update audit_records set outcome = $1, prev_hash = $2, hash = $3 where seq = $4', [r.outcome, r.prev_hash, r.hash, seq]);
      prev = r.hash;
    }
    await pool.query('update audit_head set hash = $1', [prev]);
    expect((await verifyChain(pool)).ok).toBe(true); // the documented limit
    expect(await verifyChain(pool, { anchor: checkpoint })).toMatchObject({
      ok: false,
      first_bad: { seq: 10, reason: expect.stringMatching(/^record 10 does not match the checkpoint/) },
    });
  });

  it('does not see appends that commit while it walks', async () => {
    const log = new AuditLog(pool, createHubMetrics());
    const [result] = await Promise.all([verifyChain(pool, { pageSize: 2 }), ...Array.from({ length: 50 }, () => log.append(sampleEntry()))]);
    await log.close();
    expect(result.ok).toBe(true);
    expect(result.records).toBe(result.head.seq);
    expect(await verifyChain(pool)).toMatchObject({ ok: true, records: 60 });
  });
});
