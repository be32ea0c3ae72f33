import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, waitFor } from '../../test/support/fixtures.ts';
import { chat, postJson } from '../../test/support/httpClient.ts';
import { startTestHub, type TestHub } from '../../test/support/testHub.ts';
import type { TestNode } from '../../test/support/testNode.ts';
import { keys } from '../store/index.ts';

/**
 * Every refusal on the OpenAI surface: exact status, code and param, OpenAI error shape, no 500,
 * and nothing dispatched to a node.
 */
describe('OpenAI API refusals', () => {
  let t: TestHub;
  let secret: string;
  let keyId: string;
  let tn: TestNode;

  beforeAll(async () => {
    t = await startTestHub({ HUB_MAX_BODY_BYTES: '2048' });
    const f = fixtures(t);
    const org = (await f.org('errors-org')).id;
    await f.model('m1', { capabilities: ['chat'] });
    await f.model('m-tools', { capabilities: ['chat', 'tools'] });
    await f.model('m-embed', { capabilities: ['embeddings'] });
    const key = await f.key(org, { models: ['m1', 'm-embed'] });
    secret = key.secret;
    keyId = key.id;
    ({ tn } = await f.onlineNode(org, 'eu', 'trusted', { loadedModels: ['m1', 'm-tools', 'm-embed'] }));
  });
  afterAll(async () => {
    await tn.stop();
    await t.close();
  });

  const ok = { model: 'm1', messages: [{ role: 'user', content: 'hi' }] };

  it('401 invalid_api_key for a missing, unknown or revoked key', async () => {
    const cases = [null, 'sk-porten-not-a-real-key', 'Basic abc'];
    for (const token of cases) {
      const r = await postJson(`${t.url}/v1/chat/completions`, token, ok);
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', code: 'invalid_api_key', param: null } });
    }
    await keys.revokeKey(t.hub.deps.pool, keyId);
    await t.hub.deps.events.publish({ type: 'key_changed', key_id: keyId });
    const revoked = await chat(t.url, secret, ok);
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.code).toBe('invalid_api_key');
    // restore for the other cases
    await t.hub.deps.pool.query('update api_keys set revoked_at = null where id = $1', [keyId]);
    await t.hub.deps.events.publish({ type: 'key_changed', key_id: keyId });
    expect((await chat(t.url, secret, ok)).status).toBe(200);
  });

  it('400 invalid_request_error for malformed JSON, naming no 500', async () => {
    const r = await postJson(`${t.url}/v1/chat/completions`, secret, '{"model": "m1", "messages": [');
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_request_error');
    expect(r.body.error.message).toMatch(/not valid JSON/);
  });

  it('400 with the offending param for wrong types', async () => {
    const cases: [unknown, string][] = [
      [{ ...ok, temperature: 'hot' }, 'temperature'],
      [{ ...ok, messages: 'hi' }, 'messages'],
      [{ ...ok, max_tokens: -1 }, 'max_tokens'],
      [{ messages: ok.messages }, 'model'],
      [[1, 2, 3], ''],
    ];
    for (const [body, param] of cases) {
      const r = await chat(t.url, secret, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.code).toBe('invalid_request_error');
      if (param) expect(r.body.error.param).toBe(param);
    }
  });

  it('413 request_too_large for an oversize body', async () => {
    const r = await chat(t.url, secret, { ...ok, messages: [{ role: 'user', content: 'x'.repeat(5000) }] });
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('request_too_large');
  });

  it('404 model_not_found for a model not in the catalog', async () => {
    const r = await chat(t.url, secret, { ...ok, model: 'gpt-17' });
    expect(r.status).toBe(404);
    expect(r.body.error).toMatchObject({ code: 'model_not_found', param: 'model' });
  });

  it("403 model_not_allowed for a catalog model outside the key's allow-list", async () => {
    const r = await chat(t.url, secret, { ...ok, model: 'm-tools' });
    expect(r.status).toBe(403);
    expect(r.body.error).toMatchObject({ code: 'model_not_allowed', param: 'model' });
  });

  it('400 for tools on a model whose catalog entry has no tool support', async () => {
    const tools = [{ type: 'function', function: { name: 'now', parameters: { type: 'object', properties: {} } } }];
    const r = await chat(t.url, secret, { ...ok, tools });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'invalid_request_error', param: 'tools' });
  });

  it('400 for an endpoint the model does not support', async () => {
    const r = await postJson(`${t.url}/v1/embeddings`, secret, { model: 'm1', input: 'x' });
    expect(r.status).toBe(400);
    expect(r.body.error.param).toBe('model');
  });

  it('404 in the OpenAI shape for an unknown endpoint', async () => {
    const r = await postJson(`${t.url}/v1/nothing`, secret, {});
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('not_found');
  });

  it('dispatched none of the refused requests and audited the policy refusal', async () => {
    const before = tn.requests.length;
    const denied = await chat(t.url, secret, { ...ok, model: 'm-tools' }); // 403, a routing decision
    const malformed = await chat(t.url, secret, { ...ok, temperature: 'hot' }); // 400, not a routing decision
    expect(tn.requests.length).toBe(before);
    const recordsOf = async (r: { headers: Headers }) =>
      (await t.hub.deps.pool.query(`select event, error_code, key_id, node_id from audit_records where request_id = $1`, [r.headers.get('x-request-id')])).rows;
    await waitFor(async () => (await recordsOf(denied)).length > 0, 'refusal record written');
    expect(await recordsOf(denied)).toEqual([{ event: 'refuse', error_code: 'model_not_allowed', key_id: keyId, node_id: null }]);
    expect(await recordsOf(malformed)).toEqual([]);
  });

  it('counts every request, refusals before routing included, by endpoint and code', async () => {
    const metrics = await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${t.adminToken}` } }).then((x) => x.text());
    const count = (endpoint: string, code: string) => Number(new RegExp(`porten_hub_requests_total\\{endpoint="${endpoint}",code="${code}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
    expect(count('chat.completions', 'invalid_api_key')).toBeGreaterThanOrEqual(4);
    expect(count('chat.completions', 'request_too_large')).toBe(1);
    expect(count('chat.completions', 'model_not_found')).toBe(1);
    expect(count('chat.completions', 'ok')).toBe(1);
  });
});
