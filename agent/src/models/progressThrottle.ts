/**
 * Decides which byte-count updates are worth reporting: the first, the last (done = total), and
 * otherwise one when `intervalMs` passed or at least 1 % of the total arrived since the last report.
 * Keeps a multi-GB download from flooding the tunnel while the warming endpoint still moves.
 */
export class ProgressThrottle {
  private readonly intervalMs: number;
  private lastAt = -Infinity;
  private lastBytes = -1;

  constructor(intervalMs: number) {
    this.intervalMs = intervalMs;
  }

  shouldReport(done: number, total: number, now: number): boolean {
    const first = this.lastBytes < 0;
    const finished = total > 0 && done >= total && this.lastBytes < done;
    const step = total > 0 && done - this.lastBytes >= total / 100;
    const due = now - this.lastAt >= this.intervalMs && done !== this.lastBytes;
    if (!(first || finished || step || due)) return false;
    this.lastAt = now;
    this.lastBytes = done;
    return true;
  }
}
