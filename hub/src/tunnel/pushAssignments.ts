import type { EventBus } from '../events/index.ts';
import type { Logger } from '@porten/shared/log';
import type { NodeRecord } from '../store/index.ts';
import type { TunnelRegistry } from './tunnelRegistry.ts';

/**
 * Keeps connected nodes' view of their operator-assigned name, region and trust class current: on
 * `node_changed` — published by the admin API on whichever replica took the change and delivered
 * to every replica by the event bus — the replica holding the node's tunnel reads the node's
 * record and sends it an `assignment` frame, so `porten status` shows the change without a reconnect.
 *
 * The pushed values are informational only. Routing decides by the hub's own records
 * (RoutingDirectory reads PostgreSQL); nothing a node was told, or says back, is used for it.
 *
 * The record is read from the database rather than carried in the event, so a node is told what
 * is stored, not what one request wrote; changes arriving while a read is under way are folded into
 * one more read, so the last frame a node gets is the latest record. Like every event-bus consumer
 * this is best-effort: if a pub/sub message is lost the node shows the old values until it
 * reconnects (routing is unaffected).
 */
export function pushAssignments(events: EventBus, registry: TunnelRegistry, readNode: (id: string) => Promise<NodeRecord | undefined>, log: Logger): () => void {
  /** Per node: true while a read is under way, `again` when another change arrived meanwhile. */
  const pending = new Map<string, { again: boolean }>();

  async function push(nodeId: string): Promise<void> {
    const state = pending.get(nodeId);
    if (state) {
      state.again = true;
      return;
    }
    const mine = { again: true };
    pending.set(nodeId, mine);
    try {
      while (mine.again) {
        mine.again = false;
        const node = await readNode(nodeId);
        const conn = registry.get(nodeId);
        if (!node || node.status !== 'approved' || !conn) return;
        conn.send({ type: 'assignment', name: node.name, region: node.region, trust_class: node.trust_class });
        log.info('sent the node its new assignment', { node: nodeId, region: node.region, trust_class: node.trust_class });
      }
    } catch (err) {
      log.warn('cannot tell a node its new assignment; it shows the old one until it reconnects', { node: nodeId, err: (err as Error).message });
    } finally {
      pending.delete(nodeId);
    }
  }

  return events.on((e) => {
    if (e.type === 'node_changed' && registry.get(e.node_id)) void push(e.node_id);
  });
}
