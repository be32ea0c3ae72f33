import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, waitFor } from '../../test/support/fixtures.ts';
import { postJson, sseEvents } from '../../test/support/httpClient.ts';
import { startTestHub, type TestHub } from '../../test/support/testHub.ts';
import type { TestNode } from '../../test/support/testNode.ts';
import type { RequestMessage } from '@porten/shared/protocol';

/** The node answers with the request's own marker, word by word, so an answer names the request it belongs to. */
function echoMarker(req: RequestMessage) {
  const messages = req.kind === 'chat' ? (req.params.messages as { content: string }[]) : [];
  const marker = messages.at(-1)?.content ?? '?';
  return { kind: 'reply' as const, text: `answer for ${marker} ends here`, tokenDelayMs: 15 };
}

const contentOf = (r: { body: unknown }, stream: boolean): string =>
  stream
    ? sseEvents(r.body as string)
        .map((e) => (typeof e === 'object' && e !== null ? ((e as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content ?? '') : ''))
        .join('')
    : ((r.body as { choices: { message: { content: string } }[] }).choices[0]?.message.content ?? '');

/**
 * A client-chosen `x-request-id` once named the tunnel stream, so two tenants sending the same id to
 * the same node could receive each other's completions. Stream ids are the hub's own now; a client id
 * is only echoed (x-client-request-id) and logged.
 */
describe('request isolation', () => {
  let t: TestHub;
  let f: ReturnType<typeof fixtures>;
  let node: TestNode;
  let orgA: string;
  let orgB: string;
  let keyA: { id: string; secret: string };
  let keyB: { id: string; secret: string };

  beforeAll(async () => {
    t = await startTestHub({ HUB_KEY_MAX_CONCURRENCY: '64' });
    f = fixtures(t);
    orgA = (await f.org('tenant-a')).id;
    orgB = (await f.org('tenant-b')).id;
    const host = (await f.org('shared-host')).id;
    await f.model('m1', { capabilities: ['chat'] });
    keyA = await f.key(orgA, { fleet: 'any', regions: ['eu'] });
    keyB = await f.key(orgB, { fleet: 'any', regions: ['eu'] });
    // One node both keys' policies allow: every request lands on the same tunnel.
    ({ tn: node } = await f.onlineNode(host, 'eu', 'trusted', { loadedModels: ['m1'], behaviour: echoMarker }));
  });
  afterAll(async () => {
    await node.stop();
    await t.close();
  });

  const ask = (secret: string, marker: string, requestId: string | undefined, stream = false) =>
    postJson(
      `${t.url}/v1/chat/completions`,
      secret,
      { model: 'm1', stream, messages: [{ role: 'user', content: marker }] },
      { headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}`, ...(requestId ? { 'x-request-id': requestId } : {}) } },
    );

  it('two orgs sending the same x-request-id to the same node each get their own answer', async () => {
    const shared = 'collide-0001';
    const first = ask(keyA.secret, 'TENANT-A-SECRET', shared);
    await waitFor(() => node.requests.some((r) => JSON.stringify(r.params).includes('TENANT-A-SECRET')), 'tenant A reached the node');
    const second = ask(keyB.secret, 'TENANT-B-SECRET', shared);
    const [a, b] = await Promise.all([first, second]);
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    expect(b.status, JSON.stringify(b.body)).toBe(200);
    expect(contentOf(a, false)).toBe('answer for TENANT-A-SECRET ends here');
    expect(contentOf(b, false)).toBe('answer for TENANT-B-SECRET ends here');
    expect(node.duplicateIds).toEqual([]);
    // Both echo the client's id for correlation; the hub's own ids differ and name no client text.
    expect(a.headers.get('x-client-request-id')).toBe(shared);
    expect(b.headers.get('x-client-request-id')).toBe(shared);
    const ids = [a.headers.get('x-request-id'), b.headers.get('x-request-id')];
    expect(ids[0]).not.toBe(ids[1]);
    for (const id of ids) expect(id).toMatch(/^req_[A-Za-z0-9_-]{22}$/);
    const streamIds = node.requests.slice(-2).map((r) => r.id);
    for (const s of streamIds) expect(s).not.toContain(shared);
  });

  it('keeps one audit trail per request when clients repeat an id: route and complete records, never merged', async () => {
    const shared = 'audit-dup-7';
    const rs = await Promise.all([ask(keyA.secret, 'AUD-1', shared), ask(keyB.secret, 'AUD-2', shared), ask(keyA.secret, 'AUD-3', shared)]);
    const hubIds = rs.map((r) => r.headers.get('x-request-id')!);
    expect(new Set(hubIds).size).toBe(3);
    for (const [i, id] of hubIds.entries()) {
      await waitFor(async () => (await t.hub.deps.pool.query(`select 1 from audit_records where request_id = $1 and event = 'complete'`, [id])).rowCount === 1, 'completion record');
      const { rows } = await t.hub.deps.pool.query(`select event, key_id, outcome, detail from audit_records where request_id = $1 order by seq`, [id]);
      expect(rows.map((r) => r.event)).toEqual(['route', 'complete']);
      expect(rows.every((r) => r.key_id === (i === 1 ? keyB.id : keyA.id))).toBe(true);
      expect(rows[0].detail).toMatchObject({ client_request_id: shared });
    }
    const verify = await fetch(`${t.url}/admin/v1/audit/verify`, { headers: { authorization: `Bearer ${t.adminToken}` } }).then((r) => r.json());
    expect(verify).toMatchObject({ ok: true, first_bad: null });
  });

  it('many concurrent requests with identical and random ids through one node: every answer belongs to its request', async () => {
    const n = 48;
    const jobs = Array.from({ length: n }, (_, i) => {
      const marker = `M${i}-${randomBytes(4).toString('hex')}`;
      const id = i % 3 === 0 ? 'same-id' : i % 3 === 1 ? randomBytes(8).toString('hex') : undefined;
      const stream = i % 2 === 0;
      return { marker, stream, res: ask(i % 2 === 0 ? keyA.secret : keyB.secret, marker, id, stream) };
    });
    const results = await Promise.all(jobs.map((j) => j.res));
    for (const [i, r] of results.entries()) {
      expect(r.status, JSON.stringify(r.body).slice(0, 200)).toBe(200);
      expect(contentOf(r, jobs[i]!.stream)).toBe(`answer for ${jobs[i]!.marker} ends here`);
    }
    expect(new Set(results.map((r) => r.headers.get('x-request-id'))).size).toBe(n);
    expect(node.duplicateIds).toEqual([]);
  });

  it("refuses to echo a client id that is too long or has other characters, and still serves the request", async () => {
    for (const bad of ['x'.repeat(129), 'has space', 'semi;colon', 'ünï']) {
      const r = await postJson(`${t.url}/v1/chat/completions`, keyA.secret, { model: 'm1', messages: [{ role: 'user', content: 'bad-id' }] }, {
        headers: { 'content-type': 'application/json', authorization: `Bearer ${keyA.secret}`, 'x-request-id': encodeURIComponent(bad) === bad ? bad : bad.replace(/[^\x20-\x7e]/g, '?') },
      });
      expect(r.status).toBe(200);
      expect(r.headers.get('x-client-request-id')).toBeNull();
      expect(r.headers.get('x-request-id')).toMatch(/^req_/);
    }
  });
});
