import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../test/support/testHub.ts';
import { recordHash } from '../audit/canonicalRecord.ts';
import { SELECT_COLUMNS, rowToRecord } from '../audit/recordRow.ts';
import { sampleEntry } from '../audit/sampleEntries.ts';
import { client, roleTokens, runVerifyExport, type Client } from '../../test/support/adminTestClient.ts';

/**
 * Tampering with the audit table the way someone with database access would — plain SQL with the
 * append-only triggers switched off, as the table owner or a superuser can — and what an auditor then
 * sees through GET /admin/v1/audit/verify and in the export. Each test gets a fresh hub whose chain
 * holds ten records appended through the hub's own audit log.
 */
describe('tampering with the audit table shows in /admin/v1/audit/verify (real hub, real PostgreSQL)', () => {
  let t: TestHub;
  let auditor: Client;
  let auditorToken: string;

  beforeEach(async () => {
    t = await startTestHub();
    auditorToken = (await roleTokens(client(t.url, t.adminToken))).auditor.token;
    auditor = client(t.url, auditorToken);
    for (let i = 1; i <= 10; i++) await t.hub.deps.audit.append(sampleEntry({ detail: { attempt: 1, i } }));
  });
  afterEach(async () => {
    await t?.close();
  });

  /** Runs `sql` with the triggers off, in one transaction: the triggers are back on whatever happens. */
  async function tamper(sql: string, params: unknown[] = []): Promise<void> {
    const db = await t.hub.deps.pool.connect();
    try {
      await db.query('begin');
      await db.query('alter table audit_records disable trigger user');
      await db.query(sql, params);
      await db.query('alter table audit_records enable trigger user');
      await db.query('commit');
    } catch (err) {
      await db.query('rollback');
      throw err;
    } finally {
      db.release();
    }
  }

  const verify = async (query = '') => {
    const r = await auditor.get(`/audit/verify${query}`);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return r.body;
  };
  const exportText = async () => (await fetch(`${t.url}/admin/v1/audit/export`, { headers: { authorization: `Bearer ${auditorToken}` } })).text();

  it('the untouched chain verifies, and the triggers refuse a plain UPDATE or DELETE', async () => {
    expect(await verify()).toMatchObject({ ok: true, records: 10, first_bad: null, head: { seq: 10 } });
    await expect(t.hub.deps.pool.query(`update audit_records set outcome = 'served' where seq = 6`)).rejects.toThrow(/append-only: UPDATE/);
    await expect(t.hub.deps.pool.query('delete from audit_records where seq = 4')).rejects.toThrow(/append-only: DELETE/);
    expect((await verify()).ok).toBe(true);
  });

  it('one edited row: ok false, first_bad is that row, and the export no longer verifies offline', async () => {
    await tamper(`update audit_records set node_region = 'us-east' where seq = 6`);
    expect(await verify()).toMatchObject({
      ok: false,
      records: 5,
      first_bad: { seq: 6, reason: 'record 6 was altered: stored hash does not match its contents' },
      head: { seq: 10 },
    });
    expect(runVerifyExport(await exportText())).toEqual({
      status: 1,
      out: 'BROKEN at record 6: record 6 was altered: stored hash does not match its contents (5 records intact before it)\n',
    });
  });

  it('one deleted row in the middle: reported as missing', async () => {
    await tamper('delete from audit_records where seq = 4');
    expect(await verify()).toMatchObject({ ok: false, records: 3, first_bad: { seq: 4, reason: 'record 4 is missing' } });
    expect(runVerifyExport(await exportText())).toMatchObject({ status: 1, out: expect.stringContaining('BROKEN at record 4: record 4 is missing') });
  });

  it('the last row deleted: reported against the head', async () => {
    await tamper('delete from audit_records where seq = 10');
    expect(await verify()).toMatchObject({ ok: false, records: 9, first_bad: { seq: 10, reason: 'records after 9 were removed: head says 10' } });
  });

  it('a rewrite re-chained up to a forged head passes a plain verify but not one anchored on a head recorded earlier', async () => {
    const recorded = (await verify()).head;
    for (let i = 11; i <= 12; i++) await t.hub.deps.audit.append(sampleEntry());

    // Rewrite record 7, then re-hash it and every later record and move the head, as a careful attacker would.
    const rows = (await t.hub.deps.pool.query(`select ${SELECT_COLUMNS} from audit_records where seq >= 7 order by seq`)).rows.map(rowToRecord);
    let prev = rows[0]!.prev_hash;
    for (const r of rows) {
      const forged = { ...r, prev_hash: prev, ...(r.seq === 7 && { node_region: 'us-east', node_trust: 'community' }) };
      forged.hash = recordHash(forged.prev_hash, forged);
      await tamper('update audit_records set node_region = $1, node_trust = $2, prev_hash = $3, hash = $4 where seq = $5', [
        forged.node_region,
        forged.node_trust,
        forged.prev_hash,
        forged.hash,
        r.seq,
      ]);
      prev = forged.hash;
    }
    await t.hub.deps.pool.query('update audit_head set hash = $1 where id = 1', [prev]);

    // The chain is self-consistent again: only an anchor kept outside the hub exposes the rewrite.
    expect(await verify()).toMatchObject({ ok: true, records: 12, first_bad: null, head: { seq: 12, hash: prev } });
    expect(await verify(`?anchor_seq=${recorded.seq}&anchor_hash=${recorded.hash}`)).toMatchObject({
      ok: false,
      records: 9,
      first_bad: { seq: 10, reason: expect.stringMatching(/^record 10 does not match the checkpoint/) },
    });
    // Anchored on a head from before the rewritten record, the check still passes: it proves records 1–6 intact.
    const sixth = (await auditor.get('/audit?after_seq=5&limit=1')).body.data[0];
    expect(await verify(`?anchor_seq=6&anchor_hash=${sixth.hash}`)).toMatchObject({ ok: true, records: 12 });
  });
});
