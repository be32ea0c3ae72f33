import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '@porten/testkit/postgresServer';
import { createTestDatabase } from '../../test/support/testDatabase.ts';
import { createPool } from '../db/pool.ts';
import { HubError } from '../errors/index.ts';
import { createHubMetrics } from '../metrics/index.ts';
import { AuditLog } from './auditLog.ts';
import { sampleEntry } from './sampleEntries.ts';
import { verifyChain } from './verifyChain.ts';

type TestDb = Awaited<ReturnType<typeof createTestDatabase>>;

async function count(pool: pg.Pool): Promise<number> {
  return Number((await pool.query('select count(*) as n from audit_records')).rows[0].n);
}

describe('AuditLog.append (real PostgreSQL)', () => {
  let db: TestDb;
  let pool: pg.Pool;
  let log: AuditLog;
  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url, 4);
    log = new AuditLog(pool, createHubMetrics());
  });
  afterAll(async () => {
    await log.close();
    await pool.end();
    await db.drop();
  });

  it('returns increasing seqs and stores what was appended, with a valid chain', async () => {
    const entry = sampleEntry({ prompt_tokens: 12, completion_tokens: 34, timings: { total_ms: 56 } });
    const a = await log.append(entry);
    const b = await log.append(sampleEntry({ event: 'complete', outcome: 'served' }));
    expect(b.seq).toBe(a.seq + 1);
    const row = (await pool.query('select * from audit_records where seq = $1', [a.seq])).rows[0];
    expect(row).toMatchObject({ request_id: entry.request_id, key_id: entry.key_id, node_region: 'eu-west', prompt_tokens: 12, timings: { total_ms: 56 }, detail: { attempt: 1 } });
    expect(row.prev_hash).toBe('0'.repeat(64));
    expect(await verifyChain(pool)).toMatchObject({ ok: true, records: 2, first_bad: null, head: { seq: b.seq } });
  });

  it('lands 500 concurrent appends with contiguous seqs, a valid chain, in far fewer transactions', async () => {
    const before = await count(pool);
    const results = await Promise.all(Array.from({ length: 500 }, () => log.append(sampleEntry())));
    const seqs = results.map((r) => r.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 500 }, (_, i) => before + 1 + i));
    expect(new Set(seqs).size).toBe(500);
    // xmin is the inserting transaction: group commit wrote many records per transaction.
    const tx = Number((await pool.query('select count(distinct xmin::text) as n from audit_records where seq > $1', [before])).rows[0].n);
    expect(tx).toBeLessThan(50);
    expect(await verifyChain(pool)).toMatchObject({ ok: true, records: before + 500 });
  });

  it('keeps one valid chain when two replicas append concurrently', async () => {
    const pool2 = createPool(db.url, 4);
    const replica2 = new AuditLog(pool2, createHubMetrics(), { maxBatch: 7 });
    try {
      const before = await count(pool);
      const burst = (l: AuditLog) => Array.from({ length: 300 }, (_, i) => l.append(sampleEntry({ detail: { i } })));
      const [one, two] = await Promise.all([Promise.all(burst(log)), Promise.all(burst(replica2))]);
      const seqs = [...one, ...two].map((r) => r.seq).sort((x, y) => x - y);
      expect(seqs).toEqual(Array.from({ length: 600 }, (_, i) => before + 1 + i));
      expect(await verifyChain(pool)).toMatchObject({ ok: true, records: before + 600 });
    } finally {
      await replica2.close();
      await pool2.end();
    }
  });

  it('rejects a detail carrying prompt content (any depth, any case) and writes nothing for it', async () => {
    const before = await count(pool);
    const withContent = [
      { messages: [{ role: 'user', content: 'secret' }] },
      { prompt: 'secret' },
      { nested: { Prompt: 'secret' } },
      { list: [{ content: 'secret' }] },
    ];
    for (const detail of withContent) {
      const err = await log.append(sampleEntry({ detail: detail as never })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(HubError);
      expect((err as HubError).code).toBe('internal_error');
      expect((err as HubError).message).toMatch(/would store prompt or completion content/);
    }
    // A top-level content field smuggled past the type is refused the same way.
    await expect(log.append({ ...sampleEntry(), prompt: 'secret' } as never)).rejects.toThrow(/entry\.prompt would store/);
    expect(await count(pool)).toBe(before);
  });

  it('does not let one bad entry fail the batch it would have shared', async () => {
    const results = await Promise.allSettled([
      log.append(sampleEntry()),
      log.append(sampleEntry({ key_id: 'not-a-uuid' })),
      log.append(sampleEntry({ detail: { error: `node said \u0000 ${'x'.repeat(5000)} \ud800` } })),
      log.append(sampleEntry({ prompt_tokens: -1 })),
      log.append(sampleEntry()),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected', 'fulfilled']);
    const repaired = results[2] as PromiseFulfilledResult<{ seq: number }>;
    const { detail } = (await pool.query('select detail from audit_records where seq = $1', [repaired.value.seq])).rows[0];
    expect(detail.error).not.toContain('\u0000');
    expect(detail.error).toMatch(/…\[truncated\]$/);
    expect((await verifyChain(pool)).ok).toBe(true);
  });

  it('stores UUIDs and values so that verify recomputes the same hash (upper-case ids, -0, dates, NaN)', async () => {
    const id = 'ABCDEF01-2345-6789-ABCD-EF0123456789';
    await log.append(sampleEntry({ key_id: id, timings: { total_ms: -0, ttft_ms: 1.5 }, detail: { when: new Date(0), ratio: Number.NaN, big: 1e21, tiny: 1e-7, uni: 'ü 😀' } }));
    expect((await verifyChain(pool)).ok).toBe(true);
  });
});

describe('AuditLog when the database goes away (private PostgreSQL)', () => {
  let server: PostgresServer;
  let db: TestDb;
  let pool: pg.Pool;
  let log: AuditLog;
  beforeAll(async () => {
    server = await startPostgres();
    db = await createTestDatabase(server.url);
    pool = createPool(db.url, 4);
    log = new AuditLog(pool, createHubMetrics());
  });
  afterAll(async () => {
    await log.close();
    await pool.end();
    await server.destroy();
  });

  it('rejects with service_unavailable while stopped, writes nothing half, and recovers without a new AuditLog', async () => {
    const ok = await log.append(sampleEntry());
    await server.stop();
    let failures;
    try {
      failures = await Promise.allSettled(Array.from({ length: 5 }, () => log.append(sampleEntry())));
    } finally {
      await server.start();
    }
    for (const f of failures) {
      expect(f.status).toBe('rejected');
      const err = (f as PromiseRejectedResult).reason as HubError;
      expect(err).toBeInstanceOf(HubError);
      expect(err.code).toBe('service_unavailable');
      expect(err.message).toMatch(/audit store cannot be reached.*request was refused/);
    }
    const again = await log.append(sampleEntry());
    expect(again.seq).toBe(ok.seq + 1);
    expect(await count(pool)).toBe(2);
    expect(await verifyChain(pool)).toMatchObject({ ok: true, records: 2 });
  });

  it('keeps every acknowledged record and an intact chain when the server stops mid-burst', async () => {
    // 16 workers append back to back; each stops at its first refusal. The server is stopped once
    // enough records were acknowledged, so the stop lands while batches are in flight.
    const acknowledged: number[] = [];
    let refused = 0;
    const worker = async () => {
      for (;;) {
        try {
          acknowledged.push((await log.append(sampleEntry())).seq);
        } catch (err) {
          expect((err as HubError).code).toBe('service_unavailable');
          refused += 1;
          return;
        }
      }
    };
    const workers = Array.from({ length: 16 }, worker);
    while (acknowledged.length < 200) await new Promise((r) => setTimeout(r, 1));
    await server.stop();
    await Promise.all(workers);
    await server.start();
    expect(refused).toBe(16);
    const stored = new Set((await pool.query('select seq from audit_records')).rows.map((r) => Number(r.seq)));
    for (const seq of acknowledged) expect(stored.has(seq)).toBe(true);
    expect(await verifyChain(pool)).toMatchObject({ ok: true });
    await expect(log.append(sampleEntry())).resolves.toMatchObject({ seq: expect.any(Number) });
  });

  it('close() flushes pending appends, then refuses new ones', async () => {
    const other = new AuditLog(pool, createHubMetrics());
    const pending = Array.from({ length: 20 }, () => other.append(sampleEntry()));
    await other.close();
    expect((await Promise.all(pending)).length).toBe(20);
    await expect(other.append(sampleEntry())).rejects.toMatchObject({ code: 'service_unavailable', message: expect.stringMatching(/shut down/) });
    expect((await verifyChain(pool)).ok).toBe(true);
  });
});
