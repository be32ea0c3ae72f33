import { trustRank, type KeyPolicy } from '../policy/index.ts';
import type { EngineCapability } from '../protocol/index.ts';
import type { CatalogModel, NodeRecord } from '../store/index.ts';
import type { NodeConnection } from '../tunnel/index.ts';

/** Why the compliant set came out empty; also the `reason` label of the refusal metric. */
export type RefusalReason = 'no_nodes' | 'fleet' | 'region' | 'trust' | 'offline' | 'capability' | 'capacity';

export interface Candidate {
  node: NodeRecord;
  conn: NodeConnection;
  /** The model is loaded (or, for external engines, served) on this node now. */
  loaded: boolean;
}

export interface SelectionInput {
  policy: KeyPolicy;
  orgId: string;
  model: CatalogModel;
  /** Engine capabilities the request needs, e.g. ['chat'] or ['chat', 'tools']. */
  needs: EngineCapability[];
  nodes: readonly NodeRecord[];
  connection(nodeId: string): NodeConnection | undefined;
  now: number;
  presenceTtlMs: number;
}

export type Selection = { candidates: Candidate[] } | { refused: RefusalReason; message: string };

/**
 * The hard filter, then the score. Returns only nodes that pass *every* constraint of the key;
 * nothing outside this list is ever dispatched to (retries and on-demand loads draw from it too).
 *
 * The policy dimensions (fleet → region → trust) are applied before liveness (DESIGN lists
 * "approved, online" first; the resulting set is identical). The order only decides which constraint
 * a refusal names, and naming policy first means a refusal never reveals whether *other* tenants'
 * nodes are online.
 */
export function selectCandidates(input: SelectionInput): Selection {
  const { policy, model } = input;
  let set = input.nodes.filter((n) => n.status === 'approved');
  if (set.length === 0) return refuse('no_nodes', 'no node is approved on this hub yet');

  if (policy.fleet === 'own') {
    set = set.filter((n) => n.org_id === input.orgId);
    if (set.length === 0) return refuse('fleet', "this key may only use its organization's own nodes (fleet: own), and the organization has no approved node");
  }
  if (policy.regions !== null) {
    const allowed = new Set(policy.regions);
    set = set.filter((n) => allowed.has(n.region));
    if (set.length === 0) return refuse('region', `no node in this key's fleet is in its allowed regions (${policy.regions.join(', ')})`);
  }
  if (policy.min_trust !== null) {
    const min = trustRank(policy.min_trust);
    set = set.filter((n) => trustRank(n.trust_class) >= min);
    if (set.length === 0) return refuse('trust', `no node in this key's fleet and regions has trust class ${policy.min_trust} or higher`);
  }

  const online: Candidate[] = [];
  for (const node of set) {
    const conn = input.connection(node.id);
    if (conn && conn.isFresh(input.now, input.presenceTtlMs)) online.push({ node, conn, loaded: false });
  }
  if (online.length === 0) return refuse('offline', 'every node this key may use is offline');

  const capable = online.filter((c) => input.needs.every((need) => c.conn.state.capabilities.includes(need)));
  if (capable.length === 0) return refuse('capability', `no compliant online node's engine supports ${input.needs.join(' + ')}`);

  const serving: Candidate[] = [];
  for (const c of capable) {
    const loaded = c.conn.state.loaded_models.includes(model.id);
    // Only the builtin engine loads weights on demand; external engines serve what they advertise.
    const canLoad = c.conn.state.engine === 'builtin' && model.format === 'gguf' && c.conn.state.capacity.vram_total_mb >= model.memory_mb;
    if (loaded || canLoad) serving.push({ ...c, loaded });
  }
  if (serving.length === 0) {
    return refuse('capacity', `no compliant online node has ${model.id} loaded or enough memory to load it (${model.memory_mb} MB)`);
  }

  serving.sort(compareCandidates);
  return { candidates: serving };
}

/** Score: model already loaded > can load; then fewest requests in flight; then lowest latency EWMA. */
function compareCandidates(a: Candidate, b: Candidate): number {
  if (a.loaded !== b.loaded) return a.loaded ? -1 : 1;
  const load = a.conn.inFlight + a.conn.state.queue_depth - (b.conn.inFlight + b.conn.state.queue_depth);
  if (load !== 0) return load;
  const lat = a.conn.latencyEwmaMs - b.conn.latencyEwmaMs;
  if (lat !== 0) return lat;
  return a.node.id < b.node.id ? -1 : 1;
}

function refuse(reason: RefusalReason, detail: string): Selection {
  return { refused: reason, message: `No node satisfying this key's policy can serve this request: ${detail}.` };
}
