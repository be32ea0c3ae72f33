import type { RoutingDirectory } from '../routing/index.ts';
import type { TunnelRegistry } from '../tunnel/index.ts';
import type { HubMetrics } from './hubMetrics.ts';

/**
 * Sets `porten_hub_nodes_online{region,trust_class}` from this replica's live tunnels, labelled with
 * the operator-assigned region and trust class (never what a node says about itself). Called at
 * scrape time: O(nodes) once per scrape instead of once per heartbeat.
 */
export async function updateNodesOnline(registry: TunnelRegistry, directory: RoutingDirectory, metrics: HubMetrics, ttlMs: number): Promise<void> {
  const counts = new Map<string, { region: string; trust_class: string; n: number }>();
  const now = Date.now();
  try {
    for (const conn of registry.all()) {
      if (!conn.isFresh(now, ttlMs)) continue;
      const node = await directory.node(conn.nodeId);
      if (!node) continue;
      const k = `${node.region}|${node.trust_class}`;
      const entry = counts.get(k) ?? { region: node.region, trust_class: node.trust_class, n: 0 };
      entry.n++;
      counts.set(k, entry);
    }
  } catch {
    return; // database unreachable: keep the last known figures
  }
  metrics.nodesOnline.reset();
  for (const c of counts.values()) metrics.nodesOnline.set({ region: c.region, trust_class: c.trust_class }, c.n);
}
