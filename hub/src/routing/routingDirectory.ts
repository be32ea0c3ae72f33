import type pg from 'pg';
import { hashSecret } from '../auth/secrets.ts';
import type { EventBus } from '../events/index.ts';
import { HubError } from '../errors/index.ts';
import { keys as keysStore, models as modelsStore, nodes as nodesStore, type ApiKey, type CatalogModel, type NodeRecord } from '../store/index.ts';

/** How long a cached row may be used without an invalidation event (bounds staleness if an event is lost). */
const TTL_MS = 5_000;

/**
 * The routing hot path's view of PostgreSQL: API keys by secret, the catalog, and the approved nodes
 * with their operator-assigned region and trust class. Cached in memory so a request costs no extra
 * database round trip; invalidated at once by admin changes on any replica (event bus) and refreshed
 * after TTL_MS regardless. A lookup that needs the database while it is down throws a refusal.
 */
export class RoutingDirectory {
  private readonly pool: pg.Pool;
  private readonly keyCache = new Map<string, { key: ApiKey | null; at: number }>();
  private catalog: { byId: Map<string, CatalogModel>; at: number } | undefined;
  private nodes: { byId: Map<string, NodeRecord>; list: NodeRecord[]; at: number } | undefined;
  private nodesLoading: Promise<void> | undefined;

  constructor(pool: pg.Pool, events: EventBus) {
    this.pool = pool;
    events.on((e) => {
      switch (e.type) {
        case 'key_changed':
          // Negative entries go too: they cannot be matched to a key id, and must not outlive a change.
          for (const [h, v] of this.keyCache) if (v.key === null || v.key.id === e.key_id) this.keyCache.delete(h);
          break;
        case 'catalog_changed':
          this.catalog = undefined;
          break;
        case 'node_changed':
        case 'node_revoked':
          this.nodes = undefined;
          break;
      }
    });
  }

  /** The active key for a bearer secret, or null. Throws `no_available_node` when the database cannot say. */
  async keyForSecret(secret: string): Promise<ApiKey | null> {
    const h = hashSecret(secret).toString('base64');
    const hit = this.keyCache.get(h);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.key;
    let key: ApiKey | null;
    try {
      key = (await keysStore.findActiveKeyBySecret(this.pool, secret)) ?? null;
    } catch (err) {
      throw unreachable(err);
    }
    if (this.keyCache.size > 10_000) this.keyCache.clear();
    this.keyCache.set(h, { key, at: Date.now() });
    return key;
  }

  async model(id: string): Promise<CatalogModel | undefined> {
    return (await this.loadCatalog()).get(id);
  }

  async allModels(): Promise<CatalogModel[]> {
    return [...(await this.loadCatalog()).values()];
  }

  private async loadCatalog(): Promise<Map<string, CatalogModel>> {
    if (this.catalog && Date.now() - this.catalog.at < TTL_MS) return this.catalog.byId;
    try {
      const list = await modelsStore.listModels(this.pool);
      this.catalog = { byId: new Map(list.map((m) => [m.id, m])), at: Date.now() };
      return this.catalog.byId;
    } catch (err) {
      throw unreachable(err);
    }
  }

  /** Approved nodes (the router's candidate universe), operator data only. */
  async approvedNodes(): Promise<readonly NodeRecord[]> {
    if (!this.nodes || Date.now() - this.nodes.at >= TTL_MS) {
      this.nodesLoading ??= this.refreshNodes().finally(() => (this.nodesLoading = undefined));
      await this.nodesLoading;
    }
    return this.nodes!.list;
  }

  async node(id: string): Promise<NodeRecord | undefined> {
    await this.approvedNodes();
    return this.nodes!.byId.get(id);
  }

  private async refreshNodes(): Promise<void> {
    try {
      const list = await nodesStore.listApprovedNodes(this.pool);
      this.nodes = { list, byId: new Map(list.map((n) => [n.id, n])), at: Date.now() };
    } catch (err) {
      throw unreachable(err);
    }
  }
}

function unreachable(err: unknown): HubError {
  return new HubError('no_available_node', 'the hub cannot reach its database, so it cannot establish which nodes this key may use; request refused (fail closed), retry later', {
    cause: err,
  });
}
