import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../test/support/testHub.ts';
import { expectError, type Json } from '../../test/support/adminTestClient.ts';
import { IpRateLimiter } from './ipRateLimiter.ts';

/** POST /v1/nodes/enroll from a chosen loopback source address (127.0.0.0/8 is all local on Linux). */
function enrollFrom(hubUrl: string, localAddress: string): Promise<{ status: number; body: Json; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(`${hubUrl}/v1/nodes/enroll`, { method: 'POST', localAddress, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), retryAfter: res.headers['retry-after'] as string | undefined }));
    });
    req.on('error', reject);
    req.end(JSON.stringify({ name: 'flood', inventory: {} }));
  });
}

describe('IpRateLimiter', () => {
  it('allows max per window per client, then says when to retry; a new window starts fresh', () => {
    const l = new IpRateLimiter({ max: 2, windowMs: 10_000 });
    expect(l.take('a', 0)).toEqual({ allowed: true });
    expect(l.take('a', 1)).toEqual({ allowed: true });
    expect(l.take('a', 2_000)).toEqual({ allowed: false, retryAfterS: 8 });
    expect(l.take('b', 2_000)).toEqual({ allowed: true });
    expect(l.take('a', 10_000)).toEqual({ allowed: true });
  });

  it('keeps its table bounded', () => {
    const l = new IpRateLimiter({ max: 1, windowMs: 1000, maxClients: 3 });
    for (let i = 0; i < 100; i++) l.take(`c${i}`, i * 10);
    expect((l as unknown as { windows: Map<string, unknown> }).windows.size).toBeLessThanOrEqual(3);
  });
});

describe('enrollment rate limit (real hub)', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  });
  afterAll(async () => {
    await hub?.close();
  });

  it('the 11th enrollment within a minute from one address is 429 with Retry-After; other addresses are unaffected', async () => {
    for (let i = 0; i < 10; i++) expect((await enrollFrom(hub.url, '127.0.0.1')).status).toBe(200);
    const limited = await enrollFrom(hub.url, '127.0.0.1');
    expectError({ status: limited.status, body: limited.body, headers: new Headers() }, 429, 'rate_limit_exceeded');
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);
    expect((await enrollFrom(hub.url, '127.0.0.2')).status).toBe(200);
    expect((await hub.hub.deps.pool.query('select count(*)::int as n from enrollments')).rows[0].n).toBe(11);
  });
});
