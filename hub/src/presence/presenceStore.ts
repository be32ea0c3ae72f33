import type { Redis } from 'ioredis';
import type { Capacity, EngineCapability, EngineKind } from '@porten/shared/protocol';

/** What the hub knows about a connected node right now. Only the node's own facts: never region or trust. */
export interface Presence {
  node_id: string;
  replica: string;
  agent_version: string;
  engine: EngineKind;
  capabilities: EngineCapability[];
  capacity: Capacity;
  loaded_models: string[];
  in_flight: number;
  queue_depth: number;
  connected_at: number;
  heartbeat_at: number;
}

/**
 * Node presence in Redis, shared by every hub replica. A record expires `ttlMs` after the last
 * heartbeat, so a node whose tunnel died silently goes offline by itself. Reads throw when Redis
 * cannot be reached: callers must treat that as "node state unknown" and refuse (fail closed).
 */
export class PresenceStore {
  private readonly redis: Redis;
  private readonly prefix: string;
  private readonly ttlMs: number;

  constructor(redis: Redis, prefix: string, ttlMs: number) {
    this.redis = redis;
    this.prefix = prefix;
    this.ttlMs = ttlMs;
  }

  private key(nodeId: string): string {
    return `${this.prefix}node:${nodeId}`;
  }

  async put(p: Presence): Promise<void> {
    await this.redis.set(this.key(p.node_id), JSON.stringify(p), 'PX', this.ttlMs);
  }

  /** Removes the record only if this replica still owns it (a reconnect elsewhere wins). */
  async remove(nodeId: string, replica: string): Promise<void> {
    const current = await this.redis.get(this.key(nodeId));
    if (current && (JSON.parse(current) as Presence).replica === replica) await this.redis.del(this.key(nodeId));
  }

  async getMany(nodeIds: readonly string[]): Promise<Map<string, Presence>> {
    const out = new Map<string, Presence>();
    if (nodeIds.length === 0) return out;
    const values = await this.redis.mget(nodeIds.map((id) => this.key(id)));
    values.forEach((v, i) => {
      if (v) out.set(nodeIds[i]!, JSON.parse(v) as Presence);
    });
    return out;
  }
}
