import type { Redis } from 'ioredis';

/**
 * Whether this replica can currently reach Redis, known without a round trip on the request path.
 *
 * Healthy means: the connection is up (`status === 'ready'` — a stopped or crashed Redis closes the
 * socket, which flips this at once) *and* a PING answered within the last `maxAgeMs` (a hung Redis
 * that keeps the socket open is caught within that bound). The router refuses every request while
 * this is false: node state shared through Redis cannot be established, so nothing is guessed.
 *
 * Rejected alternative: a Redis read per request. It proves the same thing one round trip later and
 * cost about a third of the hub's added latency on a 2-core site (measured with `npm run bench:hub`).
 */
export class RedisHealth {
  private readonly redis: Redis;
  private readonly maxAgeMs: number;
  private lastOkAt = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(redis: Redis, intervalMs = 250, maxAgeMs = 1000) {
    this.redis = redis;
    this.maxAgeMs = maxAgeMs;
    this.timer = setInterval(() => void this.probe(), intervalMs);
    this.timer.unref();
    void this.probe();
  }

  private async probe(): Promise<void> {
    try {
      await this.redis.ping();
      this.lastOkAt = Date.now();
    } catch {
      /* stays stale; healthy() turns false within maxAgeMs */
    }
  }

  healthy(now = Date.now()): boolean {
    return this.redis.status === 'ready' && now - this.lastOkAt <= this.maxAgeMs;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
