import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPostgres, type PostgresServer } from '@porten/testkit/postgresServer';
import { startRedis, type RedisServer } from '@porten/testkit/redisServer';
import { fixtures, waitFor } from '../../test/support/fixtures.ts';
import { chat } from '../../test/support/httpClient.ts';
import { startTestHub, type TestHub } from '../../test/support/testHub.ts';
import type { TestNode } from '../../test/support/testNode.ts';

/**
 * Invariant 1: any internal doubt is a refusal. With Redis or PostgreSQL down the hub answers 503
 * (never 500, never served on a stale guess) and recovers by itself when they return.
 * This file runs its own servers so it can stop them.
 */
describe('fail closed when Redis or PostgreSQL is down', () => {
  let pgServer: PostgresServer;
  let redisServer: RedisServer;
  let t: TestHub;
  let tn: TestNode;
  let secret: string;
  const ask = { model: 'm1', messages: [{ role: 'user', content: 'hi' }] };

  beforeAll(async () => {
    [pgServer, redisServer] = await Promise.all([startPostgres(), startRedis()]);
    t = await startTestHub({ HUB_POSTGRES_SERVER_URL: pgServer.url, HUB_REDIS_URL: redisServer.url });
    const f = fixtures(t);
    const org = (await f.org('fc-org')).id;
    await f.model('m1');
    secret = (await f.key(org, { fleet: 'own', regions: ['eu'] })).secret;
    ({ tn } = await f.onlineNode(org, 'eu', 'trusted', { loadedModels: ['m1'] }));
  }, 60_000);
  afterAll(async () => {
    await tn?.stop();
    await t?.close();
    await Promise.all([pgServer?.destroy(), redisServer?.destroy()]);
  });

  it('refuses with 503 no_available_node while Redis is down, then recovers without a restart', async () => {
    expect((await chat(t.url, secret, ask)).status).toBe(200);
    await redisServer.stop();
    // The hub learns of it when the socket closes (at once) or a PING goes unanswered (≤ 1 s); from
    // then on every request is refused.
    await waitFor(async () => (await chat(t.url, secret, ask)).status === 503, 'hub noticed Redis is gone', 5000);
    const served = tn.requests.length;
    for (let i = 0; i < 5; i++) {
      const r = await chat(t.url, secret, ask);
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe('no_available_node');
      expect(r.body.error.message).toMatch(/cannot reach Redis/);
      expect(r.headers.get('retry-after')).toBeTruthy();
    }
    expect(tn.requests.length).toBe(served);
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(503);

    await redisServer.start();
    await waitFor(async () => (await chat(t.url, secret, ask)).status === 200, 'served again after Redis returned', 10_000);
    expect((await fetch(`${t.url}/readyz`)).status).toBe(200);
  });

  it('refuses with 503 while PostgreSQL is down (nothing is dispatched without its audit record), then recovers', async () => {
    expect((await chat(t.url, secret, ask)).status).toBe(200);
    await pgServer.stop();
    await waitFor(async () => (await chat(t.url, secret, ask)).status === 503, 'hub noticed PostgreSQL is gone', 5000);
    const served = tn.requests.length;
    for (let i = 0; i < 3; i++) {
      const r = await chat(t.url, secret, ask);
      expect(r.status).toBe(503);
      expect(r.body.error.code).toBe('no_available_node');
    }
    expect(tn.requests.length).toBe(served);
    expect((await fetch(`${t.url}/readyz`)).status).toBe(503);

    await pgServer.start();
    await waitFor(async () => (await chat(t.url, secret, ask)).status === 200, 'served again after PostgreSQL returned', 15_000);
    const verify = await fetch(`${t.url}/admin/v1/audit/verify`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(verify.status).toBe(200);
    expect(((await verify.json()) as { ok: boolean }).ok).toBe(true); // the outage broke nothing in the chain
  });
});
