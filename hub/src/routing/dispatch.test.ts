import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, waitFor } from '../../test/support/fixtures.ts';
import { chat, postJson, sseEvents } from '../../test/support/httpClient.ts';
import { startTestHub, type TestHub } from '../../test/support/testHub.ts';
import type { TestNode } from '../../test/support/testNode.ts';

const ask = { model: 'm1', messages: [{ role: 'user', content: 'hi' }] };

/** Retries, failures after the first byte, cancellation, back-off signals — over the real tunnel. */
describe('dispatch', () => {
  let t: TestHub;
  let f: ReturnType<typeof fixtures>;
  let org: string;
  let other: string;
  const nodes: TestNode[] = [];

  beforeAll(async () => {
    t = await startTestHub({ HUB_FIRST_BYTE_TIMEOUT_MS: '400', HUB_STREAM_STALL_TIMEOUT_MS: '400', HUB_KEY_MAX_CONCURRENCY: '2' });
    f = fixtures(t);
    org = (await f.org('dispatch-org')).id;
    other = (await f.org('dispatch-other')).id;
    await f.model('m1');
  });
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await t.close();
  });

  async function node(orgId: string, region: string, opts: Parameters<typeof f.onlineNode>[3]) {
    const n = await f.onlineNode(orgId, region, 'trusted', { loadedModels: ['m1'], ...opts });
    nodes.push(n.tn);
    return n;
  }

  it('retries a node that dies before its first byte on another compliant node, never outside the set', async () => {
    const dying = await node(org, 'r1', { behaviour: () => ({ kind: 'die_before_first_byte' }) });
    const healthy = await node(org, 'r1', { queueDepth: 5 }); // scores lower, so the dying node is tried first
    const outsider = await node(other, 'r1', {}); // same region, other org: not in an `own` key's set
    const key = await f.key(org, { fleet: 'own', regions: ['r1'] });
    const r = await chat(t.url, key.secret, ask);
    expect(r.status).toBe(200);
    expect(r.headers.get('x-porten-node')).toBe(healthy.node.id);
    expect(dying.tn.requests).toHaveLength(1);
    expect(outsider.tn.requests).toHaveLength(0);
    const metrics = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${t.adminToken}` } }).then((x) => x.text());
    expect(metrics).toMatch(/porten_hub_routing_retries_total 1\b/);
  });

  it('refuses with 503 when the only compliant node dies before its first byte, even if others could serve', async () => {
    const dying = await node(org, 'r2', { behaviour: () => ({ kind: 'die_before_first_byte' }) });
    const outsider = await node(other, 'r2', {});
    const key = await f.key(org, { fleet: 'own', regions: ['r2'] });
    const r = await chat(t.url, key.secret, ask);
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe('no_available_node');
    expect(dying.tn.requests).toHaveLength(1);
    expect(outsider.tn.requests).toHaveLength(0);
  });

  it('retries a node that does not answer in time, and cancels its stream', async () => {
    const silent = await node(org, 'r3', { behaviour: () => ({ kind: 'hang' }) });
    const healthy = await node(org, 'r3', { queueDepth: 5 });
    const key = await f.key(org, { fleet: 'own', regions: ['r3'] });
    const r = await chat(t.url, key.secret, ask);
    expect(r.status).toBe(200);
    expect(r.headers.get('x-porten-node')).toBe(healthy.node.id);
    expect(silent.tn.cancelled).toEqual([silent.tn.requests[0]!.id]);
  });

  it('ends a stream with an error event when the node dies after the first byte, without retrying', async () => {
    await node(org, 'r4', { behaviour: () => ({ kind: 'die_after_first_byte', text: 'partial ' }) });
    const backup = await node(org, 'r4', { queueDepth: 5 });
    const key = await f.key(org, { fleet: 'own', regions: ['r4'] });
    const r = await chat(t.url, key.secret, { ...ask, stream: true });
    expect(r.status).toBe(200);
    const events = sseEvents(r.body as string);
    expect(events).not.toContain('[DONE]');
    const last = events.at(-1) as { error: { code: string } };
    expect(last.error.code).toBe('node_error');
    expect(backup.tn.requests).toHaveLength(0);
  });

  it('ends a response whose node goes quiet after the first byte with node_error, and cancels it on the node', async () => {
    const quiet = await node(org, 'r4q', { behaviour: (req) => ({ kind: 'frames', frames: [JSON.stringify({ type: 'delta', id: req.id, content: 'partial ' })] }) });
    const key = await f.key(org, { fleet: 'own', regions: ['r4q'] });
    const streamed = await chat(t.url, key.secret, { ...ask, stream: true });
    expect(streamed.status).toBe(200);
    const events = sseEvents(streamed.body as string);
    expect(events).not.toContain('[DONE]');
    expect(events.at(-1)).toMatchObject({ error: { code: 'node_error', message: 'the node sent nothing for 400 ms mid-response' } });
    const whole = await chat(t.url, key.secret, ask);
    expect(whole.status).toBe(502);
    expect(whole.body.error).toMatchObject({ code: 'node_error', message: 'the node sent nothing for 400 ms mid-response' });
    await waitFor(() => quiet.tn.cancelled.length === 2, 'both streams cancelled on the node');
    expect(quiet.tn.cancelled).toEqual(quiet.tn.requests.map((r) => r.id));
  });

  it('passes a non-retryable engine error through as a clear error', async () => {
    await node(org, 'r5', { behaviour: () => ({ kind: 'error', retryable: false, code: 'invalid_request', message: 'prompt is longer than the context window' }) });
    const key = await f.key(org, { fleet: 'own', regions: ['r5'] });
    const r = await chat(t.url, key.secret, ask);
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'invalid_request_error', message: 'prompt is longer than the context window' });
  });

  it('cancels the work on the node when the client goes away', async () => {
    const slow = await node(org, 'r6', { behaviour: () => ({ kind: 'reply', text: 'one two three four five six seven eight nine ten', tokenDelayMs: 100 }) });
    const key = await f.key(org, { fleet: 'own', regions: ['r6'] });
    const abort = new AbortController();
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...ask, stream: true }),
      signal: abort.signal,
    });
    const reader = res.body!.getReader();
    await reader.read(); // first chunk arrived
    abort.abort();
    await waitFor(() => slow.tn.cancelled.length === 1, 'cancel reached the node');
    expect(slow.tn.cancelled[0]).toBe(slow.tn.requests[0]!.id);
  });

  it('limits requests in flight per key with 429 rate_limit_exceeded', async () => {
    const n = await node(org, 'r7', { behaviour: () => ({ kind: 'reply', text: 'slow reply here', tokenDelayMs: 150 }) });
    const key = await f.key(org, { fleet: 'own', regions: ['r7'] });
    const first = [chat(t.url, key.secret, ask), chat(t.url, key.secret, ask)];
    await waitFor(() => n.tn.requests.length === 2, 'two requests in flight on the node');
    const c = await chat(t.url, key.secret, ask);
    expect(c.status).toBe(429);
    expect(c.body.error.code).toBe('rate_limit_exceeded');
    expect(c.headers.get('retry-after')).toBe('1');
    expect((await Promise.all(first)).map((r) => r.status)).toEqual([200, 200]);
    expect(n.tn.requests).toHaveLength(2);
  });

  it('answers 429 rate_limit_exceeded with Retry-After when every compliant node reports a full queue', async () => {
    const busy = { kind: 'error' as const, retryable: true, code: 'node_busy', message: "the node's queue is full (8 waiting)" };
    const a = await node(org, 'r12', { behaviour: () => busy });
    const b = await node(org, 'r12', { behaviour: () => busy });
    const outsider = await node(other, 'r12', {});
    const key = await f.key(org, { fleet: 'own', regions: ['r12'] });
    const r = await chat(t.url, key.secret, ask);
    expect(r.status).toBe(429);
    expect(r.body).toEqual({ error: { message: expect.stringMatching(/queue is full/), type: 'rate_limit_error', code: 'rate_limit_exceeded', param: null } });
    expect(r.headers.get('retry-after')).toBe('1');
    expect(a.tn.requests.length + b.tn.requests.length).toBe(2);
    expect(outsider.tn.requests).toHaveLength(0);
    const refusal = () => t.hub.deps.pool.query(`select error_code from audit_records where request_id = $1 and event = 'refuse'`, [r.headers.get('x-request-id')]);
    await waitFor(async () => (await refusal()).rowCount === 1, 'refusal audited');
    expect((await refusal()).rows).toEqual([{ error_code: 'rate_limit_exceeded' }]);
  });

  it('serves from a compliant node with room when another one is full, and stays 503 when the others failed', async () => {
    const busy = { kind: 'error' as const, retryable: true, code: 'node_busy', message: "the node's queue is full" };
    await node(org, 'r13', { behaviour: () => busy });
    const free = await node(org, 'r13', { queueDepth: 3 });
    const key = await f.key(org, { fleet: 'own', regions: ['r13'] });
    const served = await chat(t.url, key.secret, ask);
    expect(served.status).toBe(200);
    expect(served.headers.get('x-porten-node')).toBe(free.node.id);
    await node(org, 'r14', { behaviour: () => busy });
    await node(org, 'r14', { behaviour: () => ({ kind: 'die_before_first_byte' }) });
    const key2 = await f.key(org, { fleet: 'own', regions: ['r14'] });
    const refused = await chat(t.url, key2.secret, ask);
    expect(refused.status).toBe(503);
    expect(refused.body.error.code).toBe('no_available_node');
  });

  it('cuts a revoked node at once and never routes to it again', async () => {
    const n = await node(org, 'r8', {});
    const key = await f.key(org, { fleet: 'own', regions: ['r8'] });
    expect((await chat(t.url, key.secret, ask)).status).toBe(200);
    const closed = n.tn.waitClosed();
    const rv = await postJson(`${t.url}/admin/v1/nodes/${n.node.id}/revoke`, t.adminToken, {});
    expect(rv.status).toBe(200);
    expect(await closed).toBe(4001);
    const r = await chat(t.url, key.secret, ask);
    expect(r.status).toBe(503);
    await expect(n.tn.connect()).rejects.toMatchObject({ status: 401 });
  });

  it('cuts the tunnel of a node revoked while the revocation event was lost (backstop within seconds)', async () => {
    const n = await node(org, 'r9', {});
    const closed = n.tn.waitClosed(15_000);
    // Revoke in the database only: no event on the bus, as if the pub/sub message never arrived.
    await t.hub.deps.pool.query(`update nodes set status = 'revoked', credential_hash = null where id = $1`, [n.node.id]);
    expect(await closed).toBe(4001);
  }, 20_000);

  it('writes the durable route record, with the policy snapshot and no prompt, before the node receives the prompt', async () => {
    const n = await node(org, 'r10', { behaviour: () => ({ kind: 'hang' }) });
    const key = await f.key(org, { fleet: 'own', regions: ['r10'], min_trust: 'verified' });
    const secretPrompt = 'the quarterly numbers are 4711';
    const pending = chat(t.url, key.secret, { model: 'm1', messages: [{ role: 'user', content: secretPrompt }] });
    await waitFor(() => n.tn.requests.length === 1, 'request reached the node');
    const requestId = n.tn.requests[0]!.id.replace(/\.\d+$/, '');
    // No waiting here: the record must already be committed when the node has the prompt.
    const rows = (await t.hub.deps.pool.query(`select * from audit_records where request_id = $1`, [requestId])).rows;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      event: 'route',
      outcome: 'dispatched',
      key_id: key.id,
      org_id: org,
      model: 'm1',
      node_id: n.node.id,
      node_region: 'r10',
      node_org_id: org,
      node_trust: 'trusted',
      policy: { fleet: 'own', regions: ['r10'], min_trust: 'verified', models: null },
    });
    expect(JSON.stringify(rows[0])).not.toContain(secretPrompt);
    await n.tn.stop(); // the hub retries nowhere (no other compliant node) and refuses
    expect((await pending).status).toBe(503);
  });

  it('pauses the node while the client does not read, resumes when it does, and loses nothing', async () => {
    const words = 40_000;
    const text = Array.from({ length: words }, (_, i) => `w${i} `).join('');
    const n = await node(org, 'r11', { behaviour: () => ({ kind: 'reply', text }) });
    const key = await f.key(org, { fleet: 'own', regions: ['r11'] });
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm1', messages: [{ role: 'user', content: 'x' }], stream: true }),
    });
    // Read nothing: socket buffers fill, the hub's writes report back-pressure, the node is paused.
    await waitFor(() => n.tn.flow.some((e) => e.startsWith('pause:')), 'pause sent to the node', 10_000);
    // Paused longer than HUB_STREAM_STALL_TIMEOUT_MS: a quiet node the hub holds back has not stalled.
    await new Promise((r) => setTimeout(r, 900));
    const body = await res.text(); // now read everything
    expect(n.tn.flow.some((e) => e.startsWith('resume:'))).toBe(true);
    const content = sseEvents(body)
      .flatMap((e) => (typeof e === 'object' && e !== null ? [(e as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? ''] : []))
      .join('');
    expect(content).toBe(text);
    expect(sseEvents(body).at(-1)).toBe('[DONE]');
  }, 30_000);
});
