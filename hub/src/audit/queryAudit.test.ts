import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/testDatabase.ts';
import { createPool } from '../db/pool.ts';
import { HubError } from '../errors/index.ts';
import { createHubMetrics } from '../metrics/index.ts';
import { AuditLog } from './auditLog.ts';
import { canonicalJson } from './canonicalRecord.ts';
import { exportAudit } from './exportAudit.ts';
import { queryAudit } from './queryAudit.ts';
import { sampleEntry } from './sampleEntries.ts';
import type { AuditRecord } from './types.ts';
import { verifyChain } from './verifyChain.ts';
import { verifyExportLines } from './verifyExport.ts';

const VERIFY_EXPORT = join(import.meta.dirname, 'verifyExport.ts');

/** Runs the offline verifier the way an auditor does: a separate Node process reading stdin. */
function runVerifyExport(input: string, args: string[] = []): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [VERIFY_EXPORT, ...args], { input, encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

async function exportText(pool: pg.Pool, filter = {}): Promise<string> {
  let text = '';
  await exportAudit(pool, filter, (chunk) => {
    text += chunk;
  });
  return text;
}

describe('queryAudit and exportAudit (real PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  const keyA = randomUUID();
  const keyB = randomUUID();
  const node = randomUUID();
  const org = randomUUID();

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url, 3);
    const log = new AuditLog(pool, createHubMetrics());
    // seq 1–6 use key A (2, 4, 6 on `node`), 7–9 key B in `org`, 10 a refusal.
    for (let i = 1; i <= 6; i++) await log.append(sampleEntry({ key_id: keyA, ...(i % 2 === 0 && { node_id: node }) }));
    for (let i = 7; i <= 9; i++) await log.append(sampleEntry({ key_id: keyB, org_id: org, event: 'complete', outcome: 'served', prompt_tokens: i }));
    await log.append(sampleEntry({ event: 'refuse', outcome: 'refused', node_id: null, error_code: 'no_available_node' }));
    await log.close();
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  const seqs = (records: AuditRecord[]) => records.map((r) => r.seq);

  it('filters by key, node, org and event, oldest first', async () => {
    expect(seqs((await queryAudit(pool, { key_id: keyA })).records)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(seqs((await queryAudit(pool, { node_id: node })).records)).toEqual([2, 4, 6]);
    expect(seqs((await queryAudit(pool, { org_id: org.toUpperCase() })).records)).toEqual([7, 8, 9]);
    expect(seqs((await queryAudit(pool, { event: 'refuse' })).records)).toEqual([10]);
    expect(seqs((await queryAudit(pool, { key_id: keyA, node_id: node, after_seq: 2 })).records)).toEqual([4, 6]);
  });

  it('filters by time: from inclusive, to exclusive', async () => {
    const all = (await queryAudit(pool, {})).records;
    const at4 = all[3]!.at;
    const from = (await queryAudit(pool, { from: at4 })).records;
    expect(from.every((r) => r.at >= at4) && from.some((r) => r.seq === 4)).toBe(true);
    const to = (await queryAudit(pool, { to: at4 })).records;
    expect(to.every((r) => r.at < at4) && !to.some((r) => r.seq === 4)).toBe(true);
  });

  it('pages with a keyset cursor until next_after_seq is null', async () => {
    const pages: number[][] = [];
    let after: number | undefined;
    for (;;) {
      const page = await queryAudit(pool, { limit: 4, ...(after !== undefined && { after_seq: after }) });
      pages.push(seqs(page.records));
      if (page.next_after_seq === null) break;
      after = page.next_after_seq;
    }
    expect(pages).toEqual([[1, 2, 3, 4], [5, 6, 7, 8], [9, 10]]);
  });

  it('returns records exactly as stored, hash fields included', async () => {
    const [r] = (await queryAudit(pool, { event: 'complete', limit: 1 })).records;
    expect(r).toMatchObject({ seq: 7, key_id: keyB, org_id: org, outcome: 'served', prompt_tokens: 7, completion_tokens: null, at: expect.stringMatching(/^\d{4}-.*\.\d{3}Z$/) });
    expect(r!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses bad filter values with invalid_request_error naming the parameter', async () => {
    const bad: [object, string][] = [
      [{ key_id: 'nope' }, 'key_id'],
      [{ from: 'yesterday' }, 'from'],
      [{ event: 'deleted' }, 'event'],
      [{ limit: 0 }, 'limit'],
      [{ limit: 1001 }, 'limit'],
      [{ after_seq: -1 }, 'after_seq'],
    ];
    for (const [filter, param] of bad) {
      const err = await queryAudit(pool, filter).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HubError);
      expect(err).toMatchObject({ code: 'invalid_request_error', param });
    }
    await expect(exportAudit(pool, { node_id: '1' }, () => undefined)).rejects.toMatchObject({ param: 'node_id' });
  });

  it('exports canonical JSON lines that the offline verifier accepts, ending on the head hash', async () => {
    const text = await exportText(pool);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(10);
    for (const line of lines) expect(canonicalJson(JSON.parse(line))).toBe(line);
    expect(Object.keys(JSON.parse(lines[0]!))).toEqual(expect.arrayContaining(['seq', 'at', 'prev_hash', 'hash', 'policy', 'detail']));
    const { head } = await verifyChain(pool);
    const verdict = await verifyExportLines(Readable.from(lines));
    expect(verdict).toMatchObject({ broken: null, records: 10, last: head });

    const cli = runVerifyExport(text, ['--checkpoint', `${head.seq}:${head.hash}`]);
    expect(cli.out).toBe(`ok: records 1 to 10 intact (from the genesis); last hash ${head.hash}\n`);
    expect(cli.status).toBe(0);
  });

  it('offline verifier: catches an edited line, a dropped line and a wrong checkpoint', async () => {
    const lines = (await exportText(pool)).trimEnd().split('\n');
    const edited = lines.map((l, i) => (i === 4 ? l.replace('"outcome":"dispatched"', '"outcome":"refused"') : l));
    expect(runVerifyExport(edited.join('\n'))).toEqual({ status: 1, out: 'BROKEN at record 5: record 5 was altered: stored hash does not match its contents (4 records intact before it)\n' });
    const dropped = lines.filter((_, i) => i !== 2);
    expect(runVerifyExport(dropped.join('\n'))).toMatchObject({ status: 1, out: expect.stringContaining('BROKEN at record 3: record 3 is missing') });
    const wrong = runVerifyExport(lines.join('\n'), ['--checkpoint', `3:${'a'.repeat(64)}`]);
    expect(wrong).toMatchObject({ status: 1, out: expect.stringContaining('record 3 does not match the checkpoint') });
    expect(runVerifyExport('not json\n')).toMatchObject({ status: 2, out: expect.stringContaining('line 1 is not JSON') });
  });

  it('exports a range after a seq, which the verifier checks from its first link', async () => {
    const text = await exportText(pool, { after_seq: 6 });
    expect(text.trimEnd().split('\n').map((l) => JSON.parse(l).seq)).toEqual([7, 8, 9, 10]);
    const cli = runVerifyExport(text);
    expect(cli.status).toBe(0);
    expect(cli.out).toMatch(/^ok: records 7 to 10 intact \(trusting record 7's link to [0-9a-f]{64}\)/);
  });

  it('exports only the filtered records', async () => {
    const text = await exportText(pool, { key_id: keyB });
    expect(text.trimEnd().split('\n').map((l) => JSON.parse(l).seq)).toEqual([7, 8, 9]);
  });
});
