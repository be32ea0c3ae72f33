import type { Redis } from 'ioredis';
import { createRedis } from './redisConnection.ts';

/** What one hub replica tells the others. Consumers invalidate caches or cut tunnels. */
export type HubEvent =
  | { type: 'node_revoked'; node_id: string }
  | { type: 'node_changed'; node_id: string }
  | { type: 'key_changed'; key_id: string }
  | { type: 'catalog_changed' };

/**
 * Cross-replica events over Redis pub/sub, also applied locally at once (a replica never waits for the
 * round trip through Redis to see its own change). Delivery to other replicas is best-effort; every
 * cache fed by these events also has a short TTL, which bounds staleness if a message is lost.
 */
export class EventBus {
  private readonly sub: Redis;
  private readonly channel: string;
  private readonly handlers = new Set<(e: HubEvent) => void>();

  private readonly pub: Redis;
  private readonly replicaId: string;

  constructor(pub: Redis, redisUrl: string, keyPrefix: string, replicaId: string) {
    this.pub = pub;
    this.replicaId = replicaId;
    this.sub = createRedis(redisUrl);
    this.channel = `${keyPrefix}events`;
    this.sub.on('message', (_channel: string, payload: string) => {
      try {
        const { origin, event } = JSON.parse(payload) as { origin: string; event: HubEvent };
        if (origin !== this.replicaId) this.dispatch(event);
      } catch {
        /* a malformed message is not ours */
      }
    });
    this.sub.on('ready', () => void this.sub.subscribe(this.channel).catch(() => undefined));
  }

  async start(): Promise<void> {
    await this.sub.connect().catch(() => undefined);
  }

  on(handler: (e: HubEvent) => void): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** Applies locally, then tells the other replicas. Never throws: other replicas fall back on cache TTLs. */
  async publish(event: HubEvent): Promise<void> {
    this.dispatch(event);
    await this.pub.publish(this.channel, JSON.stringify({ origin: this.replicaId, event })).catch(() => undefined);
  }

  private dispatch(event: HubEvent): void {
    for (const h of this.handlers) h(event);
  }

  async stop(): Promise<void> {
    this.sub.disconnect();
  }
}
