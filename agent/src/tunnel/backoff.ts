/**
 * Jittered exponential back-off for reconnecting: attempt n waits a random time between half and
 * all of min(cap, base × 2^n) ("equal jitter"), so a hub restart is not met by every node at the same
 * instant and no wait collapses to zero. `reset()` after a connection succeeded.
 */
export class Backoff {
  private attempt = 0;
  private readonly baseMs: number;
  private readonly capMs: number;
  private readonly random: () => number;

  constructor(baseMs = 500, capMs = 30_000, random: () => number = Math.random) {
    this.baseMs = baseMs;
    this.capMs = capMs;
    this.random = random;
  }

  next(): number {
    const ceiling = Math.min(this.capMs, this.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}
