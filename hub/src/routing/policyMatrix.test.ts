import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures, waitFor } from '../../test/support/fixtures.ts';
import { chat } from '../../test/support/httpClient.ts';
import { startTestHub, type TestHub } from '../../test/support/testHub.ts';
import type { TestNode } from '../../test/support/testNode.ts';
import { TRUST_CLASSES, trustRank, type KeyPolicy, type TrustClass } from '../policy/index.ts';

/**
 * The sovereignty guarantee, end to end over the real tunnel against real PostgreSQL + Redis:
 * every request is served only by a node that passes every constraint of its key, otherwise it
 * fails with 503 no_available_node. The expected set is computed here independently of the router.
 */
describe('routing policy matrix', () => {
  let t: TestHub;
  let orgA: string;
  let orgB: string;
  const fleet: { id: string; org: string; region: string; trust: TrustClass; online: boolean; tn?: TestNode }[] = [];

  beforeAll(async () => {
    t = await startTestHub();
    const f = fixtures(t);
    orgA = (await f.org('org-a')).id;
    orgB = (await f.org('org-b')).id;
    await f.model('m1');
    const layout: [string, string, TrustClass, boolean][] = [
      [orgA, 'eu', 'trusted', true],
      [orgA, 'us', 'trusted', true],
      [orgA, 'eu', 'community', true],
      [orgA, 'de', 'verified', false], // approved, never connected
      [orgB, 'eu', 'confidential', true],
      [orgB, 'us', 'verified', true],
    ];
    for (const [org, region, trust, online] of layout) {
      if (online) {
        // Every node answers slowly enough that concurrent requests spread over the compliant set.
        const { node, tn } = await f.onlineNode(org, region, trust, { loadedModels: ['m1'], behaviour: () => ({ kind: 'reply', text: 'a b c', tokenDelayMs: 5 }) });
        fleet.push({ id: node.id, org, region, trust, online, tn });
      } else {
        const { node } = await f.approvedNode(org, region, trust);
        fleet.push({ id: node.id, org, region, trust, online });
      }
    }
  });
  afterAll(async () => {
    await Promise.all(fleet.map((n) => n.tn?.stop()));
    await t.close();
  });

  const compliant = (p: KeyPolicy, org: string) =>
    fleet.filter(
      (n) =>
        n.online &&
        (p.fleet === 'any' || n.org === org) &&
        (p.regions === null || p.regions.includes(n.region)) &&
        (p.min_trust === null || trustRank(n.trust) >= trustRank(p.min_trust)),
    );

  const policies: KeyPolicy[] = [];
  for (const fl of ['own', 'any'] as const)
    for (const regions of [null, ['eu'], ['us'], ['de'], ['eu', 'us'], ['mars']])
      for (const min_trust of [null, ...TRUST_CLASSES]) policies.push({ fleet: fl, regions, min_trust, models: null });

  it(`serves each of ${policies.length} policies only from compliant nodes, else 503 no_available_node`, async () => {
    const f = fixtures(t);
    let served = 0;
    let refused = 0;
    for (const p of policies) {
      const key = await f.key(orgA, p);
      const expected = new Set(compliant(p, orgA).map((n) => n.id));
      const results = await Promise.all([1, 2, 3, 4].map(() => chat(t.url, key.secret, { model: 'm1', messages: [{ role: 'user', content: 'hi' }] })));
      for (const r of results) {
        const label = JSON.stringify(p);
        if (expected.size === 0) {
          expect(r.status, label).toBe(503);
          expect(r.body.error.code, label).toBe('no_available_node');
          expect(r.headers.get('retry-after'), label).toBeTruthy();
          expect(r.headers.get('x-porten-node'), label).toBeNull();
          refused++;
        } else {
          expect(r.status, label).toBe(200);
          const node = r.headers.get('x-porten-node')!;
          expect(expected.has(node), `${label} served by ${node}`).toBe(true);
          expect(r.headers.get('x-porten-region')).toBe(fleet.find((n) => n.id === node)!.region);
          served++;
        }
      }
    }
    // The matrix must exercise both outcomes substantially, or it proves little.
    expect(served).toBeGreaterThanOrEqual(100);
    expect(refused).toBeGreaterThanOrEqual(100);
    expect(served + refused).toBe(policies.length * 4);
  });

  it('names the constraint that emptied the set, without revealing other tenants', async () => {
    const f = fixtures(t);
    const cases: [Partial<KeyPolicy>, RegExp][] = [
      [{ fleet: 'own', regions: ['mars'] }, /allowed regions \(mars\)/],
      [{ fleet: 'own', min_trust: 'confidential' }, /trust class confidential or higher/],
      [{ fleet: 'own', regions: ['de'] }, /every node this key may use is offline/],
    ];
    for (const [policy, message] of cases) {
      const key = await f.key(orgA, policy);
      const r = await chat(t.url, key.secret, { model: 'm1', messages: [{ role: 'user', content: 'hi' }] });
      expect(r.status).toBe(503);
      expect(r.body.error.message).toMatch(message);
      expect(r.body.error.type).toBe('service_unavailable');
      for (const n of fleet) expect(r.body.error.message).not.toContain(n.id);
    }
  });

  it("ignores a node's claims about its own region and trust class", async () => {
    const f = fixtures(t);
    // An org-A node the operator placed in `us` as `community` claims to be an EU confidential node.
    const { node, tn } = await f.onlineNode(orgA, 'us', 'community', {
      loadedModels: ['m1'],
      heartbeatExtras: { region: 'eu', trust_class: 'confidential', capacity: { vram_total_mb: 1, vram_free_mb: 1, max_concurrency: 1, region: 'eu' } },
    });
    try {
      await new Promise((r) => setTimeout(r, 300)); // several heartbeats with the forged claims
      const key = await f.key(orgA, { fleet: 'own', regions: ['eu'], min_trust: 'trusted' });
      const results = await Promise.all([1, 2, 3, 4, 5, 6].map(() => chat(t.url, key.secret, { model: 'm1', messages: [{ role: 'user', content: 'x' }] })));
      for (const r of results) {
        expect(r.status).toBe(200);
        expect(r.headers.get('x-porten-node')).not.toBe(node.id);
      }
      expect(tn.requests).toHaveLength(0);
      const listed = await fetch(`${t.url}/admin/v1/nodes/${node.id}`, { headers: { authorization: `Bearer ${t.adminToken}` } }).then((x) => x.json() as Promise<Record<string, unknown>>);
      expect(listed.region).toBe('us');
      expect(listed.trust_class).toBe('community');
    } finally {
      await tn.stop();
    }
  });

  it('stops routing to a node whose heartbeats stop, and resumes when they return', async () => {
    const f = fixtures(t);
    const { tn } = await f.onlineNode(orgB, 'ap', 'trusted', { loadedModels: ['m1'] });
    const key = await f.key(orgB, { fleet: 'own', regions: ['ap'] });
    const ask = () => chat(t.url, key.secret, { model: 'm1', messages: [{ role: 'user', content: 'x' }] });
    expect((await ask()).status).toBe(200);
    tn.freeze();
    await waitFor(async () => (await ask()).status === 503, 'frozen node treated as offline', 5000);
    await tn.stop();
  });

  it('left an audit chain that verifies, whose every dispatch names a node compliant with the recorded policy', async () => {
    const headers = { authorization: `Bearer ${t.adminToken}` };
    await waitFor(async () => {
      const v = (await fetch(`${t.url}/admin/v1/audit/verify`, { headers }).then((r) => r.json())) as { ok: boolean; records: number };
      return v.ok && v.records > 400;
    }, 'audit chain verified', 10_000);
    const rows = (await t.hub.deps.pool.query(`select policy, node_org_id, org_id, node_region, node_trust from audit_records where event = 'route'`)).rows as {
      policy: KeyPolicy;
      node_org_id: string;
      org_id: string;
      node_region: string;
      node_trust: TrustClass;
    }[];
    expect(rows.length).toBeGreaterThan(100);
    for (const r of rows) {
      if (r.policy.fleet === 'own') expect(r.node_org_id).toBe(r.org_id);
      if (r.policy.regions !== null) expect(r.policy.regions).toContain(r.node_region);
      if (r.policy.min_trust !== null) expect(trustRank(r.node_trust)).toBeGreaterThanOrEqual(trustRank(r.policy.min_trust));
    }
  });
});
