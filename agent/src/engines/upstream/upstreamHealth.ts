import type { Logger } from '@porten/shared/log';
import type { UpstreamModel } from '../../config/index.ts';
import { AgentError, isAgentError } from '../../errors/index.ts';
import type { UpstreamDialect } from './types.ts';
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
 * Keeps track of whether the upstream can serve: its model list (`GET /models`, Ollama's
 * `GET /api/tags`) every interval. Healthy means a 2xx with a model list; only allow-listed models
 * it lists are advertised, so the hub never routes a model to an upstream that lacks it, and an
 * unreachable upstream advertises nothing (the hub stops routing here within a heartbeat).
 */
export class UpstreamHealth {
  private readonly up: Upstream;
  private readonly dialect: UpstreamDialect;
  private readonly models: UpstreamModel[];
  private readonly intervalMs: number;
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** Why the last check or request failed, as it was raised (kept for its code). */
  private failure: AgentError | undefined;
  state: HealthState = { healthy: false, served: [], missing: [], error: 'not checked yet', checked_at: undefined };

  constructor(up: Upstream, dialect: UpstreamDialect, models: UpstreamModel[], intervalMs: number, log: Logger) {
    this.up = up;
    this.dialect = dialect;
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
  markDown(failure: AgentError): void {
    this.failure = failure;
    this.update({ healthy: false, served: [], missing: [], error: failure.message, checked_at: Date.now() });
    this.schedule(Math.min(this.intervalMs, RECHECK_UNHEALTHY_MS));
  }

  serves(catalogId: string): boolean {
    return this.state.served.includes(catalogId);
  }

  /**
   * Why an allow-listed model cannot be served now: the upstream is unreachable (that error again,
   * with what to do), unhealthy otherwise, or does not list the model. All retryable: another node may serve.
   */
  refusal(catalogId: string): AgentError {
    const { label, missingHint } = this.up.texts;
    if (this.state.healthy) return new AgentError('model_not_served', `this node cannot serve ${catalogId} now: ${label} does not list it (${missingHint})`);
    if (this.failure?.code === 'upstream_unreachable') return new AgentError('upstream_unreachable', this.failure.message);
    return new AgentError('model_not_served', `this node cannot serve ${catalogId} now: ${label} is unhealthy (${this.state.error ?? 'unknown'})`);
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
    const path = this.dialect.modelsPath;
    const canonical = (name: string) => this.dialect.canonicalName(name);
    let listed: Set<string>;
    try {
      const res = await callUpstream(this.up, 'GET', path, undefined, AbortSignal.timeout(CHECK_TIMEOUT_MS));
      listed = new Set(this.dialect.listedModels(await res.json()).map(canonical));
    } catch (err) {
      this.failure = isAgentError(err) ? err : new AgentError('upstream_error', `${this.up.texts.label} at ${this.up.baseUrl}: ${(err as Error).message}`);
      this.update({ healthy: false, served: [], missing: [], error: (err as Error).message, checked_at: Date.now() });
      return;
    }
    this.failure = undefined;
    const has = (m: UpstreamModel) => listed.has(canonical(m.upstream));
    const served = this.models.filter(has).map((m) => m.id);
    const missing = this.models.filter((m) => !has(m)).map((m) => `${m.id}${m.id === m.upstream ? '' : ` (${m.upstream})`}`);
    this.update({ healthy: true, served, missing, error: undefined, checked_at: Date.now() });
  }

  /** Logs only changes: a model missing from the upstream is logged once, not at every check. */
  private update(next: HealthState): void {
    const prev = this.state;
    this.state = next;
    const { label, modelsVariable, missingHint } = this.up.texts;
    if (prev.healthy !== next.healthy || prev.error !== next.error) {
      if (next.healthy) this.log.info(`${label} is healthy`, { upstream: this.up.baseUrl, served: next.served });
      else this.log.warn(`${label} is unhealthy; advertising no model`, { upstream: this.up.baseUrl, error: next.error });
    }
    if (next.healthy && next.missing.join() !== prev.missing.join() && next.missing.length > 0) {
      this.log.warn(`${label} does not list some ${modelsVariable}; not advertising them (${missingHint})`, { missing: next.missing });
    }
  }
}
