import type { EventBus } from '../events/index.ts';
import type { NodeConnection } from './nodeConnection.ts';

/** Close codes the hub uses on tunnels, so agents can tell why they were cut. */
export const CLOSE = {
  revoked: 4001,
  replaced: 4002,
  protocolError: 4003,
  shuttingDown: 4004,
} as const;

/**
 * The tunnels connected to this replica, by node id. One tunnel per node: a new connection from the
 * same node replaces the old one. Revocation (from any replica, via the event bus) cuts at once.
 */
export class TunnelRegistry {
  private readonly byNode = new Map<string, NodeConnection>();
  private readonly listeners = new Set<() => void>();

  constructor(events: EventBus) {
    events.on((e) => {
      if (e.type === 'node_revoked') this.get(e.node_id)?.close(CLOSE.revoked, 'node credential revoked by an operator');
    });
  }

  add(conn: NodeConnection): void {
    const old = this.byNode.get(conn.nodeId);
    this.byNode.set(conn.nodeId, conn);
    if (old && old !== conn) old.close(CLOSE.replaced, 'replaced by a newer tunnel from the same node');
    this.changed();
  }

  remove(conn: NodeConnection): void {
    if (this.byNode.get(conn.nodeId) === conn) {
      this.byNode.delete(conn.nodeId);
      this.changed();
    }
  }

  get(nodeId: string): NodeConnection | undefined {
    return this.byNode.get(nodeId);
  }

  all(): IterableIterator<NodeConnection> {
    return this.byNode.values();
  }

  get size(): number {
    return this.byNode.size;
  }

  /** Called whenever the set of tunnels or a node's live state changes (warm-up waiters use it). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(): void {
    for (const l of this.listeners) l();
  }

  closeAll(reason: string): void {
    for (const c of [...this.byNode.values()]) c.close(CLOSE.shuttingDown, reason);
    this.byNode.clear();
  }
}
