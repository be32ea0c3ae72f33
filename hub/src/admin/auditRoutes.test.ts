import { randomUUID } from 'node:crypto';
import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestHub, type TestHub } from '../../test/support/testHub.ts';
import { canonicalJson } from '../audit/canonicalRecord.ts';
import { sampleEntry } from '../audit/sampleEntries.ts';
import { client, expectError, expectSchema, roleTokens, runVerifyExport, type Client, type Json } from '../../test/support/adminTestClient.ts';

const seqs = (records: Json[]) => records.map((r: Json) => r.seq);

describe('audit routes: query, export, verify (real hub, real PostgreSQL)', () => {
  let t: TestHub;
  let auditor: Client;
  let auditorToken: string;
  const keyA = randomUUID();
  const keyB = randomUUID();
  const node = randomUUID();
  const org = randomUUID();

  beforeAll(async () => {
    t = await startTestHub();
    const tokens = await roleTokens(client(t.url, t.adminToken));
    auditorToken = tokens.auditor.token;
    auditor = client(t.url, auditorToken);
    // Routing activity as the router records it: seq 1–4 key A (2 and 4 on `node`), 5–7 key B in `org`, 8 a refusal.
    const audit = t.hub.deps.audit;
    for (let i = 1; i <= 4; i++) await audit.append(sampleEntry({ key_id: keyA, ...(i % 2 === 0 && { node_id: node }) }));
    for (let i = 5; i <= 7; i++) await audit.append(sampleEntry({ key_id: keyB, org_id: org, event: 'complete', outcome: 'served', prompt_tokens: i, completion_tokens: 2 * i }));
    await audit.append(sampleEntry({ event: 'refuse', outcome: 'refused', node_id: null, error_code: 'no_available_node' }));
  });
  afterAll(async () => {
    await t?.close();
  });

  /** GET with the auditor token, returning the raw response (for headers and streamed bodies). */
  const fetchAsAuditor = (path: string) => fetch(`${t.url}/admin/v1${path}`, { headers: { authorization: `Bearer ${auditorToken}` } });

  it('an auditor queries the log: every record, oldest first, as stored, in the documented shape', async () => {
    const r = await auditor.get('/audit');
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expectSchema('AuditPage', r.body);
    for (const record of r.body.data) expectSchema('AuditRecord', record);
    expect(seqs(r.body.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(r.body.next_after_seq).toBeNull();
    expect(r.body.data[5]).toMatchObject({ event: 'complete', key_id: keyB, org_id: org, outcome: 'served', prompt_tokens: 6, completion_tokens: 12 });
    expect(r.body.data[7]).toMatchObject({ event: 'refuse', node_id: null, error_code: 'no_available_node' });
    expect(r.body.data[1].prev_hash).toBe(r.body.data[0].hash);
  });

  it('filters by key, node, org, event and time, and pages with after_seq', async () => {
    const q = async (query: string) => {
      const r = await auditor.get(`/audit?${query}`);
      expect(r.status, `${query}: ${JSON.stringify(r.body)}`).toBe(200);
      return r.body;
    };
    expect(seqs((await q(`key_id=${keyA}`)).data)).toEqual([1, 2, 3, 4]);
    expect(seqs((await q(`node_id=${node}`)).data)).toEqual([2, 4]);
    expect(seqs((await q(`org_id=${org.toUpperCase()}`)).data)).toEqual([5, 6, 7]);
    expect(seqs((await q('event=refuse')).data)).toEqual([8]);
    expect(seqs((await q(`key_id=${keyA}&node_id=${node}&after_seq=2`)).data)).toEqual([4]);

    const at5 = (await q('after_seq=4&limit=1')).data[0].at as string;
    const from = (await q(`from=${encodeURIComponent(at5)}`)).data;
    expect(from.every((r: Json) => r.at >= at5) && seqs(from).includes(5)).toBe(true);
    const to = (await q(`to=${encodeURIComponent(at5)}`)).data;
    expect(to.every((r: Json) => r.at < at5) && !seqs(to).includes(5)).toBe(true);

    const pages: number[][] = [];
    let cursor = '';
    for (;;) {
      const page = await q(`limit=3${cursor}`);
      pages.push(seqs(page.data));
      if (page.next_after_seq === null) break;
      cursor = `&after_seq=${page.next_after_seq}`;
    }
    expect(pages).toEqual([[1, 2, 3], [4, 5, 6], [7, 8]]);
  });

  it('a bad filter is 400 invalid_request_error naming the parameter, on query and export alike', async () => {
    const bad: [string, string][] = [
      ['from=yesterday', 'from'],
      ['from=', 'from'],
      ['to=2026-13-45T00:00:00Z', 'to'],
      ['key_id=nope', 'key_id'],
      [`node_id=${node}&node_id=${node}`, 'node_id'],
      ['org_id=1', 'org_id'],
      ['event=deleted', 'event'],
      ['after_seq=-1', 'after_seq'],
      ['after_seq=two', 'after_seq'],
      ['node=abc', 'node'],
    ];
    for (const [query, param] of bad) {
      expectError(await auditor.get(`/audit?${query}`), 400, 'invalid_request_error', param);
      expectError(await auditor.get(`/audit/export?${query}`), 400, 'invalid_request_error', param);
    }
    for (const limit of ['0', '1001', 'ten']) expectError(await auditor.get(`/audit?limit=${limit}`), 400, 'invalid_request_error', 'limit');
    // The export always streams everything that matches; a page size there is a mistake.
    expectError(await auditor.get('/audit/export?limit=10'), 400, 'invalid_request_error', 'limit');

    const res = await fetchAsAuditor('/audit/export?from=yesterday');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('content-disposition')).toBeNull();
    expect(((await res.json()) as Json).error.message).toMatch(/from must be an ISO 8601 time/);
  });

  it('an auditor exports JSON lines that verify offline, and the verifier rejects an edited line', async () => {
    const res = await fetchAsAuditor('/audit/export');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="porten-audit-\d{8}T\d{6}Z\.jsonl"$/);
    const text = await res.text();
    const lines = text.trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l).seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const line of lines) expect(canonicalJson(JSON.parse(line))).toBe(line);

    const { head } = (await auditor.get('/audit/verify')).body;
    expect(runVerifyExport(text, ['--checkpoint', `${head.seq}:${head.hash}`])).toEqual({
      status: 0,
      out: `ok: records 1 to 8 intact (from the genesis); last hash ${head.hash}\n`,
    });

    const edited = lines.map((l, i) => (i === 2 ? l.replace('"outcome":"dispatched"', '"outcome":"refused"') : l));
    expect(edited[2]).not.toBe(lines[2]);
    expect(runVerifyExport(edited.join('\n'))).toEqual({
      status: 1,
      out: 'BROKEN at record 3: record 3 was altered: stored hash does not match its contents (2 records intact before it)\n',
    });
  });

  it('an export takes the same filters as the query', async () => {
    const text = await (await fetchAsAuditor(`/audit/export?key_id=${keyB}`)).text();
    expect(text.trimEnd().split('\n').map((l) => JSON.parse(l).seq)).toEqual([5, 6, 7]);
    const range = await (await fetchAsAuditor('/audit/export?after_seq=5')).text();
    expect(runVerifyExport(range)).toMatchObject({ status: 0, out: expect.stringMatching(/^ok: records 6 to 8 intact \(trusting record 6's link/) });
    const none = await fetchAsAuditor(`/audit/export?event=refuse&key_id=${keyA}`);
    expect({ status: none.status, type: none.headers.get('content-type'), body: await none.text() }).toEqual({ status: 200, type: 'application/x-ndjson', body: '' });
  });

  it('an auditor verifies the chain: ok, every record counted, head = the last record', async () => {
    const r = await auditor.get('/audit/verify');
    expect(r.status).toBe(200);
    expectSchema('VerifyResult', r.body);
    const last = (await auditor.get('/audit?after_seq=7')).body.data[0];
    expect(r.body).toEqual({ ok: true, records: 8, first_bad: null, head: { seq: 8, hash: last.hash } });
  });

  it('verifies against a recorded head when given anchor_seq and anchor_hash', async () => {
    const { head } = (await auditor.get('/audit/verify')).body;
    const anchored = async (seq: number | string, hash: string) => (await auditor.get(`/audit/verify?anchor_seq=${seq}&anchor_hash=${hash}`)).body;
    expect(await anchored(head.seq, head.hash)).toEqual({ ok: true, records: 8, first_bad: null, head });
    expect((await anchored(head.seq, head.hash.toUpperCase())).ok).toBe(true);
    const third = (await auditor.get('/audit?after_seq=2&limit=1')).body.data[0];
    expect((await anchored(3, third.hash)).ok).toBe(true);

    expect(await anchored(3, head.hash)).toMatchObject({ ok: false, records: 2, first_bad: { seq: 3, reason: expect.stringMatching(/^record 3 does not match the checkpoint/) } });
    expect(await anchored(99, head.hash)).toMatchObject({ ok: false, first_bad: { seq: 99, reason: expect.stringMatching(/named by the checkpoint is not among the records checked/) } });
  });

  it('half an anchor, or a malformed one, is 400 naming the parameter', async () => {
    const hash = 'ab'.repeat(32);
    expectError(await auditor.get('/audit/verify?anchor_seq=3'), 400, 'invalid_request_error', 'anchor_hash');
    expectError(await auditor.get(`/audit/verify?anchor_hash=${hash}`), 400, 'invalid_request_error', 'anchor_seq');
    expectError(await auditor.get(`/audit/verify?anchor_seq=0&anchor_hash=${hash}`), 400, 'invalid_request_error', 'anchor_seq');
    expectError(await auditor.get('/audit/verify?anchor_seq=3&anchor_hash=abc'), 400, 'invalid_request_error', 'anchor_hash');
    expectError(await auditor.get(`/audit/verify?anchor_seq=3&anchor_hash=${hash}&anchor_hash=${hash}`), 400, 'invalid_request_error', 'anchor_hash');
    expectError(await auditor.get('/audit/verify?from=2026-01-01T00:00:00Z'), 400, 'invalid_request_error', 'from');
  });
});

describe('audit export when the database fails (real hub, real PostgreSQL)', () => {
  let t: TestHub;
  let auditorToken: string;
  // Three export pages (1000 records each) of ~7.5 kB records: ~15 MB before the last page, far more
  // than the sockets buffer, so a client that stops reading holds the export before its last page.
  const RECORDS = 2100;

  beforeAll(async () => {
    t = await startTestHub();
    auditorToken = (await roleTokens(client(t.url, t.adminToken))).auditor.token;
    // Audit strings are capped at 1024 characters and detail at 8192: pad with seven strings.
    const pad = Object.fromEntries(Array.from({ length: 7 }, (_, k) => [`pad${k}`, 'x'.repeat(1000)]));
    for (let i = 0; i < RECORDS; i += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, j) => t.hub.deps.audit.append(sampleEntry({ detail: { attempt: 1, i: i + j, ...pad } }), { durable: false })));
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Makes every audit read fail (the relation is gone) while `during` runs, then restores the table. */
  async function withoutAuditTable<T>(during: () => Promise<T>): Promise<T> {
    await t.hub.deps.pool.query('alter table audit_records rename to audit_records_away');
    try {
      return await during();
    } finally {
      await t.hub.deps.pool.query('alter table audit_records_away rename to audit_records');
    }
  }

  it('before the first line: an ordinary JSON 503, on every audit route', async () => {
    const auditor = client(t.url, auditorToken);
    await withoutAuditTable(async () => {
      for (const path of ['/audit', '/audit/export', '/audit/verify']) {
        const r = await auditor.get(path);
        expectError(r, 503, 'service_unavailable');
        expect(r.headers.get('content-type')).toMatch(/^application\/json/);
        expect(r.headers.get('content-disposition')).toBeNull();
        expect(r.headers.get('retry-after')).toBeTruthy();
      }
    });
  });

  it('mid-stream: the connection is cut (never a clean end) and the failure is logged with the request id', async () => {
    const logged: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    });
    try {
      const outcome = await new Promise<{ status?: number; requestId: string; text: string; ended: boolean; error: string | null }>((resolve, reject) => {
        const req = get(`${t.url}/admin/v1/audit/export`, { headers: { authorization: `Bearer ${auditorToken}` } }, (res) => {
          // Stop reading: the hub cannot drain its first page, so the export waits before reading the next one.
          res.pause();
          const chunks: Buffer[] = [];
          const ends = new Promise<{ ended: boolean; error: string | null }>((done) => {
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => done({ ended: true, error: null }));
            res.on('error', (e) => done({ ended: false, error: e.message }));
          });
          withoutAuditTable(async () => {
            res.resume();
            return ends;
          }).then((end) => resolve({ status: res.statusCode, requestId: String(res.headers['x-request-id']), text: Buffer.concat(chunks).toString(), ...end }), reject);
        });
        req.on('error', reject);
      });
      expect(outcome).toMatchObject({ status: 200, ended: false, error: expect.any(String) });
      const received = outcome.text.split('\n').length - 1;
      expect(received).toBeGreaterThan(0);
      expect(received).toBeLessThan(RECORDS);
      const line = logged.join('').split('\n').find((l) => l.includes('audit export failed after the response started'));
      expect(line, logged.join('')).toBeDefined();
      expect(JSON.parse(line!)).toMatchObject({ level: 'error', requestId: outcome.requestId, err: expect.stringMatching(/the audit export stopped after \d+ records/) });
    } finally {
      spy.mockRestore();
    }
    // The table is back: a full export streams to the end.
    const full = await (await fetch(`${t.url}/admin/v1/audit/export`, { headers: { authorization: `Bearer ${auditorToken}` } })).text();
    expect(full.trimEnd().split('\n')).toHaveLength(RECORDS);
  });
});
