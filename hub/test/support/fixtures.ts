import { generateSecret, SECRET_PREFIX } from '../../src/auth/secrets.ts';
import type { KeyPolicy, TrustClass } from '../../src/policy/index.ts';
import { keys, models, nodes, orgs, type CatalogModel, type ModelCapability } from '../../src/store/index.ts';
import type { TestHub } from './testHub.ts';
import { TestNode, type TestNodeOptions } from './testNode.ts';

/**
 * Test data created through the hub's own stores (the admin API has its own tests), announced on the
 * hub's event bus exactly as the admin API does, so routing caches see it at once.
 */
export function fixtures(t: TestHub) {
  const { pool, events } = t.hub.deps;
  return {
    async org(name: string) {
      return orgs.createOrg(pool, name);
    },

    async key(orgId: string, policy: Partial<KeyPolicy> = {}) {
      const secret = generateSecret(SECRET_PREFIX.apiKey);
      const key = await keys.insertKey(pool, {
        org_id: orgId,
        name: 'test key',
        secret,
        fleet: policy.fleet ?? 'any',
        regions: policy.regions ?? null,
        min_trust: policy.min_trust ?? null,
        models: policy.models ?? null,
      });
      return { ...key, secret };
    },

    async model(id: string, opts: { capabilities?: ModelCapability[]; memory_mb?: number; sha256?: string | null; size_bytes?: number | null } = {}): Promise<CatalogModel> {
      const m = await models.upsertModel(pool, {
        id,
        format: 'gguf',
        sha256: opts.sha256 ?? null,
        size_bytes: opts.size_bytes ?? 1_000_000,
        context_length: 4096,
        capabilities: opts.capabilities ?? ['chat', 'completions', 'embeddings'],
        memory_mb: opts.memory_mb ?? 100,
        enabled: true,
      });
      await events.publish({ type: 'catalog_changed' });
      return m;
    },

    /** An approved node record with a credential (as if enrolled and approved). */
    async approvedNode(orgId: string, region: string, trust: TrustClass, name = `${region}-${trust}`) {
      const node = await nodes.insertNode(pool, { org_id: orgId, name, region, trust_class: trust, inventory: {}, approved_by: 'test' });
      const credential = generateSecret(SECRET_PREFIX.node);
      await nodes.setNodeCredential(pool, node.id, credential);
      await events.publish({ type: 'node_changed', node_id: node.id });
      return { node, credential };
    },

    /** Approves a node and connects a protocol-level TestNode for it over the real tunnel. */
    async onlineNode(orgId: string, region: string, trust: TrustClass, opts: Partial<TestNodeOptions> = {}, name?: string) {
      const { node, credential } = await this.approvedNode(orgId, region, trust, name);
      const tn = new TestNode(name ?? node.name, { hubUrl: t.url, credential, ...opts });
      await tn.connect();
      await waitFor(() => t.hub.registry.get(node.id) !== undefined, 'node registered');
      return { node, credential, tn };
    },
  };
}

/** Polls `cond` every 20 ms until it holds or `timeoutMs` passes (then throws naming `what`). */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
