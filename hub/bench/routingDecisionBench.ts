import { performance } from 'node:perf_hooks';
import { TRUST_CLASSES, type KeyPolicy } from '../src/policy/index.ts';
import { selectCandidates } from '../src/routing/index.ts';
import type { CatalogModel, NodeRecord } from '../src/store/index.ts';
import type { NodeConnection } from '../src/tunnel/index.ts';

/**
 * Times `selectCandidates` — the hard filter and score — over `count` registered nodes spread over
 * 20 orgs, 8 regions and the 4 trust classes, half of them online, for a mix of key policies.
 * The live-state objects are shaped like NodeConnection (a load fixture: no sockets).
 */
export function benchRoutingDecision(count: number): void {
  const regions = ['eu', 'us', 'de', 'fr', 'ap', 'uk', 'ca', 'br'];
  const orgs = Array.from({ length: 20 }, (_, i) => `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`);
  const now = Date.now();
  const nodes: NodeRecord[] = [];
  const conns = new Map<string, NodeConnection>();
  for (let i = 0; i < count; i++) {
    const id = `n-${String(i).padStart(6, '0')}`;
    nodes.push({
      id,
      org_id: orgs[i % orgs.length]!,
      name: id,
      region: regions[i % regions.length]!,
      trust_class: TRUST_CLASSES[i % 4]!,
      status: 'approved',
      inventory: {},
      approved_by: 'bench',
      created_at: '',
      updated_at: '',
      revoked_at: null,
    });
    if (i % 2 === 0) {
      conns.set(id, {
        nodeId: id,
        closed: false,
        inFlight: i % 7,
        latencyEwmaMs: i % 13,
        state: { engine: 'builtin', capabilities: ['chat'], capacity: { vram_total_mb: 24000, vram_free_mb: 12000, max_concurrency: 8 }, loaded_models: i % 3 === 0 ? ['m'] : [], agent_version: 'x', queue_depth: 0, last_heartbeat_at: now },
        isFresh: () => true,
      } as unknown as NodeConnection);
    }
  }
  const model: CatalogModel = { id: 'm', format: 'gguf', sha256: null, size_bytes: 1, context_length: 4096, capabilities: ['chat'], memory_mb: 8000, enabled: true, created_at: '', updated_at: '' };
  const policies: { name: string; p: KeyPolicy }[] = [
    { name: 'fleet any, no constraints', p: { fleet: 'any', regions: null, min_trust: null, models: null } },
    { name: 'fleet own, regions [eu], min trusted', p: { fleet: 'own', regions: ['eu'], min_trust: 'trusted', models: null } },
    { name: 'fleet any, regions [eu, de], min verified', p: { fleet: 'any', regions: ['eu', 'de'], min_trust: 'verified', models: null } },
  ];
  for (const { name, p } of policies) {
    const times: number[] = [];
    let candidates = 0;
    for (let i = 0; i < 1200; i++) {
      const t0 = performance.now();
      const s = selectCandidates({ policy: p, orgId: orgs[0]!, model, needs: ['chat'], nodes, connection: (id) => conns.get(id), now, presenceTtlMs: 15_000 });
      const dt = performance.now() - t0;
      if (i >= 200) times.push(dt); // skip warm-up
      if ('candidates' in s) candidates = s.candidates.length;
    }
    times.sort((a, b) => a - b);
    const p50 = times[Math.floor(times.length / 2)]!;
    const p99 = times[Math.floor(times.length * 0.99)]!;
    console.log(`  ${name.padEnd(42)} p50 ${p50.toFixed(3)} ms   p99 ${p99.toFixed(3)} ms   (${candidates} compliant candidates)`);
  }
}
