/**
 * A fixed-window request counter per client address, in memory on one replica. It only has to stop
 * one client from flooding the unauthenticated enrollment endpoint (filling the approval queue), so
 * per-replica counting is enough; it is not a quota. Memory is bounded: expired windows are dropped
 * when the table grows past `maxClients`, and if every entry is live the table is cleared (failing
 * open for the limiter only — the endpoint still needs an operator's approval to grant anything).
 */
export class IpRateLimiter {
  private readonly max: number;
  private readonly windowMs: number;
  private readonly maxClients: number;
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(opts: { max: number; windowMs: number; maxClients?: number }) {
    this.max = opts.max;
    this.windowMs = opts.windowMs;
    this.maxClients = opts.maxClients ?? 10_000;
  }

  /** Counts one request from `client`; returns whether it is allowed and, if not, seconds until it would be. */
  take(client: string, now = Date.now()): { allowed: true } | { allowed: false; retryAfterS: number } {
    let w = this.windows.get(client);
    if (!w || now - w.start >= this.windowMs) {
      if (!w && this.windows.size >= this.maxClients) this.prune(now);
      w = { start: now, count: 0 };
      this.windows.set(client, w);
    }
    if (w.count >= this.max) return { allowed: false, retryAfterS: Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000)) };
    w.count++;
    return { allowed: true };
  }

  private prune(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k);
    if (this.windows.size >= this.maxClients) this.windows.clear();
  }
}
