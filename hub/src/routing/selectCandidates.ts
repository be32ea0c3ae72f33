import { trustRank, type KeyPolicy } from '../policy/index.ts';
import type { EngineCapability } from '@porten/shared/protocol';
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

/** How many of the best candidates a decision returns: enough for every retry and load attempt. */
export const MAX_CANDIDATES = 8;

/**
 * The hard filter, then the score. Returns only nodes that pass *every* constraint of the key;
 * nothing outside this list is ever dispatched to (retries and on-demand loads draw from it too).
 *
 * The policy dimensions (fleet → region → trust) are checked before liveness (DESIGN lists
 * "approved, online" first; the resulting set is identical). The order only decides which constraint
 * a refusal names, and naming policy first means a refusal never reveals whether *other* tenants'
 * nodes are online.
 *
 * One pass over the registered nodes, keeping only the best MAX_CANDIDATES in order, so a decision
 * over 10,000 nodes allocates almost nothing and sorts nothing large.
 */
export function selectCandidates(input: SelectionInput): Selection {
  const { policy, model, needs } = input;
  const allowedRegions = policy.regions === null ? null : new Set(policy.regions);
  const minTrust = policy.min_trust === null ? -1 : trustRank(policy.min_trust);
  // The furthest stage any node reached names the constraint that emptied the set.
  let reached = 0; // 1 approved, 2 fleet, 3 region, 4 trust, 5 online, 6 capable
  const best: Candidate[] = [];

  for (const node of input.nodes) {
    if (node.status !== 'approved') continue;
    if (reached < 1) reached = 1;
    if (policy.fleet === 'own' && node.org_id !== input.orgId) continue;
    if (reached < 2) reached = 2;
    if (allowedRegions !== null && !allowedRegions.has(node.region)) continue;
    if (reached < 3) reached = 3;
    if (minTrust >= 0 && trustRank(node.trust_class) < minTrust) continue;
    if (reached < 4) reached = 4;
    const conn = input.connection(node.id);
    if (!conn || !conn.isFresh(input.now, input.presenceTtlMs)) continue;
    if (reached < 5) reached = 5;
    if (!hasAll(conn.state.capabilities, needs)) continue;
    if (reached < 6) reached = 6;
    const loaded = conn.state.loaded_models.includes(model.id);
    // Only the builtin engine loads weights on demand; external engines serve what they advertise.
    const canLoad = conn.state.engine === 'builtin' && model.format === 'gguf' && conn.state.capacity.vram_total_mb >= model.memory_mb;
    if (!loaded && !canLoad) continue;
    keepBest(best, { node, conn, loaded });
  }

  if (best.length > 0) return { candidates: best };
  switch (reached) {
    case 0:
      return refuse('no_nodes', 'no node is approved on this hub yet');
    case 1:
      return refuse('fleet', "this key may only use its organization's own nodes (fleet: own), and the organization has no approved node");
    case 2:
      return refuse('region', `no node in this key's fleet is in its allowed regions (${policy.regions!.join(', ')})`);
    case 3:
      return refuse('trust', `no node in this key's fleet and regions has trust class ${policy.min_trust} or higher`);
    case 4:
      return refuse('offline', 'every node this key may use is offline');
    case 5:
      return refuse('capability', `no compliant online node's engine supports ${needs.join(' + ')}`);
    default:
      return refuse('capacity', `no compliant online node has ${model.id} loaded or enough memory to load it (${model.memory_mb} MB)`);
  }
}

/** Whether `caps` includes every one of `needs` (a plain loop: this runs per node per request). */
function hasAll(caps: readonly string[], needs: readonly string[]): boolean {
  for (let i = 0; i < needs.length; i++) if (!caps.includes(needs[i]!)) return false;
  return true;
}

/** Inserts `c` into `best` (kept sorted, at most MAX_CANDIDATES long). */
function keepBest(best: Candidate[], c: Candidate): void {
  if (best.length === MAX_CANDIDATES && compareCandidates(c, best[MAX_CANDIDATES - 1]!) >= 0) return;
  let i = best.length;
  while (i > 0 && compareCandidates(c, best[i - 1]!) < 0) i--;
  best.splice(i, 0, c);
  if (best.length > MAX_CANDIDATES) best.pop();
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
