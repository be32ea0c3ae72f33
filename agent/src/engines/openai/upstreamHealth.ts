import type { Logger } from '@porten/hub/log';
import type { UpstreamModel } from '../../config/index.ts';
import { callUpstream, type Upstream } from './upstreamHttp.ts';

const CHECK_TIMEOUT_MS = 5000;
/** While the upstream is unhealthy (or a request just found it unreachable), look again this soon, so it is back in service quickly. */
const RECHECK_UNHEALTHY_MS = 1000;

export interface HealthState {
  healthy: boolean;
  /** Catalog ids advertised now: the allow-list entries the upstream lists. Empty while unhealthy. */
  served: string[];
  /** Allow-list entries the healthy upstream does not list (not advertised). */
  missing: string[];
  /** Why the upstream is unhealthy. */
  error: string | undefined;
  checked_at: number | undefined;
}

/**
 * Keeps track of whether the upstream can serve: `GET /models` every interval. Healthy means a 2xx
 * with a `data` list; only allow-listed models that list names are advertised, so the hub never
 * routes a model to an upstream that lacks it, and an unreachable upstream advertises nothing (the
 * hub stops routing here within a heartbeat).
 */
export class UpstreamHealth {
  private readonly up: Upstream;
  private readonly models: UpstreamModel[];
  private readonly intervalMs: number;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  state: HealthState = { healthy: false, served: [], missing: [], error: 'not checked yet', checked_at: undefined };

  constructor(up: Upstream, models: UpstreamModel[], intervalMs: number, log: Logger) {
    this.up = up;
    this.models = models;
    this.intervalMs = intervalMs;
    this.log = log;
  }

  /** Checks now (concurrent callers share one check), then keeps checking every interval (every second while unhealthy) until stop(). */
  check(): Promise<void> {
    this.running ??= this.checkOnce().finally(() => {
      this.running = undefined;
      this.schedule(this.state.healthy ? this.intervalMs : Math.min(this.intervalMs, RECHECK_UNHEALTHY_MS));
    });
    return this.running;
  }

  /** A request could not reach the upstream: stop advertising at once and look again soon. */
  markDown(reason: string): void {
    this.update({ healthy: false, served: [], missing: [], error: reason, checked_at: Date.now() });
    this.schedule(Math.min(this.intervalMs, RECHECK_UNHEALTHY_MS));
  }

  serves(catalogId: string): boolean {
    return this.state.served.includes(catalogId);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.check(), ms);
    this.timer.unref();
  }

  private async checkOnce(): Promise<void> {
    let listed: Set<string>;
    try {
      const res = await callUpstream(this.up, 'GET', '/models', undefined, AbortSignal.timeout(CHECK_TIMEOUT_MS));
      const body = (await res.json()) as { data?: unknown };
      if (!Array.isArray(body.data)) throw new Error('GET /models did not return a `data` list');
      listed = new Set(body.data.map((m) => (m as { id?: unknown }).id).filter((id): id is string => typeof id === 'string'));
    } catch (err) {
      this.update({ healthy: false, served: [], missing: [], error: (err as Error).message, checked_at: Date.now() });
      return;
    }
    const served = this.models.filter((m) => listed.has(m.upstream)).map((m) => m.id);
    const missing = this.models.filter((m) => !listed.has(m.upstream)).map((m) => `${m.id}${m.id === m.upstream ? '' : ` (${m.upstream})`}`);
    this.update({ healthy: true, served, missing, error: undefined, checked_at: Date.now() });
  }

  private update(next: HealthState): void {
    const prev = this.state;
    this.state = next;
    if (prev.healthy !== next.healthy || prev.error !== next.error) {
      if (next.healthy) this.log.info('upstream healthy', { upstream: this.up.baseUrl, served: next.served });
      else this.log.warn('upstream unhealthy; advertising no model', { upstream: this.up.baseUrl, error: next.error });
    }
    if (next.healthy && next.missing.join() !== prev.missing.join() && next.missing.length > 0) {
      this.log.warn('upstream does not list some PORTEN_UPSTREAM_MODELS; not advertising them', { missing: next.missing });
    }
  }
}
