import { performance } from 'node:perf_hooks';
import type { AuditEntry } from '../audit/index.ts';
import type { HubDeps } from '../deps.ts';
import { HubError } from '../errors/index.ts';
import { NODE_BUSY, type DeltaMessage, type DoneMessage, type EngineCapability, type RequestMessage, type ResultMessage, type Usage } from '@porten/shared/protocol';
import type { ApiKey, CatalogModel } from '../store/index.ts';
import type { OpenStream, TunnelRegistry } from '../tunnel/index.ts';
import type { ModelPlacement } from './modelPlacement.ts';
import type { RoutingDirectory } from './routingDirectory.ts';
import { selectCandidates, type Candidate, type RefusalReason } from './selectCandidates.ts';

const MAX_ATTEMPTS = 3;


export interface RouteRequest {
  /** The hub's own id (http/requestId.ts): stream ids and audit records are keyed by it. */
  requestId: string;
  /** The client's correlation id, if it sent a valid one: recorded, never used as a key. */
  clientRequestId?: string;
  key: ApiKey;
  model: CatalogModel;
  /** Capabilities the request needs from the model's catalog entry and the node's engine. */
  needs: EngineCapability[];
  /** Builds the tunnel request for one attempt (each attempt has its own stream id). */
  build(streamId: string): RequestMessage;
  /** Aborted when the client goes away: the node is told to cancel. */
  signal: AbortSignal;
  /** performance.now() when the request arrived. */
  receivedAt: number;
}

export interface ServedBy {
  nodeId: string;
  region: string;
  /** Milliseconds the hub spent before dispatching (auth, validation, policy, routing, audit). */
  hubAddedMs: number;
}

/** Receives the node's answer. `onStart` marks the first byte: from then on the request is committed to that node. */
export interface RouteSink {
  onStart(served: ServedBy, flow: Pick<OpenStream, 'pause' | 'resume'>): void;
  onDelta(m: DeltaMessage): void;
  onResult(m: ResultMessage): void;
  onDone(m: DoneMessage): void;
}

/** How a routed request ended once it had started on a node. Failures before the first byte are thrown instead. */
export type RouteOutcome = { kind: 'done'; usage: Usage } | { kind: 'failed'; error: HubError } | { kind: 'cancelled' };

/** `busy`: the node refused only because its queue was full (another node, or later, may serve). */
type Attempt = RouteOutcome | { kind: 'retry'; reason: string; busy?: boolean } | { kind: 'rejected'; error: HubError };

/**
 * Routes one request: policy checks → hard filter → Redis reachable → (on-demand load) →
 * durable audit record → dispatch, retrying *only inside the compliant set* when a node fails before
 * its first byte. Anything the hub cannot establish (database, Redis, audit store) is a refusal.
 */
export class Router {
  private readonly deps: HubDeps;
  private readonly directory: RoutingDirectory;
  private readonly registry: TunnelRegistry;
  private readonly placement: ModelPlacement;
  private readonly perKey = new Map<string, number>();
  private readonly idleWaiters = new Set<() => void>();
  /** Requests admitted and not finished on this replica. */
  inFlight = 0;

  constructor(deps: HubDeps, directory: RoutingDirectory, registry: TunnelRegistry, placement: ModelPlacement) {
    this.deps = deps;
    this.directory = directory;
    this.registry = registry;
    this.placement = placement;
  }

  /** Throws HubError for every refusal before the first byte (and audits it); resolves once the request ended. */
  async route(req: RouteRequest, sink: RouteSink): Promise<RouteOutcome> {
    const { key, model } = req;
    const inFlight = this.perKey.get(key.id) ?? 0;
    try {
      if (key.models !== null && !key.models.includes(model.id)) {
        throw new HubError('model_not_allowed', `this API key may not use model ${model.id} (its model allow-list is: ${key.models.join(', ')})`, { param: 'model' });
      }
      if (inFlight >= this.deps.config.keyMaxConcurrency) {
        throw new HubError('rate_limit_exceeded', `this API key already has ${inFlight} requests in flight (limit ${this.deps.config.keyMaxConcurrency}); retry when some finish`, {
          retryAfterS: 1,
        });
      }
    } catch (err) {
      this.refused(req, err as HubError, null);
      throw err;
    }
    this.perKey.set(key.id, inFlight + 1);
    this.inFlight++;
    try {
      return await this.routeAdmitted(req, sink);
    } finally {
      const n = (this.perKey.get(key.id) ?? 1) - 1;
      if (n <= 0) this.perKey.delete(key.id);
      else this.perKey.set(key.id, n);
      if (--this.inFlight === 0) for (const w of this.idleWaiters) w();
    }
  }

  /** Resolves true once no request is in flight, or false when `timeoutMs` passed first (graceful stop). */
  drained(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (idle: boolean) => {
        clearTimeout(timer);
        this.idleWaiters.delete(onIdle);
        resolve(idle);
      };
      const onIdle = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.idleWaiters.add(onIdle);
    });
  }

  private async routeAdmitted(req: RouteRequest, sink: RouteSink): Promise<RouteOutcome> {
    const { config, metrics } = this.deps;
    const warmupDeadline = Date.now() + config.warmupBudgetMs;
    const tried = new Set<string>(); // dispatched to, or failed to load the model
    let dispatched = 0;
    let busy = 0;
    let candidates: Candidate[];
    let lastReason = '';
    try {
      candidates = await this.compliantCandidates(req);
    } catch (err) {
      if (err instanceof HubError) this.refused(req, err, null);
      throw err;
    }

    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      if (req.signal.aborted) return { kind: 'cancelled' };
      let c: Candidate | null;
      try {
        c = await this.nextCandidate(req, candidates, tried, warmupDeadline);
      } catch (err) {
        if (err instanceof HubError) this.refused(req, err, null);
        throw err;
      }
      if (c === null) break;
      tried.add(c.node.id);
      dispatched++;
      try {
        await this.deps.audit.append(this.entry(req, c, 'route', 'dispatched', { attempt, ...(req.clientRequestId ? { client_request_id: req.clientRequestId } : {}) }));
      } catch (err) {
        metrics.auditFailures.inc();
        const e = this.refusal('audit_unavailable', 'the hub cannot write the audit record that must precede dispatch');
        e.cause = err;
        this.refused(req, e, c);
        throw e;
      }
      // Everything the hub did before the prompt leaves, the durable audit record included.
      const hubAddedMs = performance.now() - req.receivedAt;
      if (attempt === 1) metrics.addedLatency.observe(hubAddedMs / 1000);
      this.placement.markUsed(c.node.id, req.model.id);
      const result = await this.attempt(c, `${req.requestId}.${attempt}`, req, sink, hubAddedMs);
      if (result.kind === 'retry') {
        lastReason = result.reason;
        if (result.busy) busy++;
        metrics.retries.inc();
        this.complete(req, c, 'retried', null, { reason: result.reason });
        continue;
      }
      if (result.kind === 'rejected') {
        this.complete(req, c, 'failed', null, { error: result.error.message });
        throw result.error;
      }
      this.complete(req, c, result.kind === 'done' ? 'served' : result.kind, result.kind === 'done' ? result.usage : null, result.kind === 'failed' ? { error: result.error.message } : null);
      if (result.kind === 'done') {
        metrics.tokens.inc({ kind: 'prompt' }, result.usage.prompt_tokens);
        metrics.tokens.inc({ kind: 'completion' }, result.usage.completion_tokens);
      }
      return result;
    }
    if (dispatched > 0 && busy === dispatched) {
      // Every compliant node tried was full: a rate limit (429), not an outage (DESIGN.md's table).
      metrics.routingRefusals.inc({ reason: 'queue_full' });
      const e = new HubError('rate_limit_exceeded', `every compliant node's request queue is full (${busy} tried); retry shortly`, { retryAfterS: 1 });
      this.refused(req, e, null);
      throw e;
    }
    const e = dispatched === 0 ? this.refusal('load_failed', `loading ${req.model.id} failed on every compliant node`) : this.refusal('node_failures', `every compliant node tried failed before answering (${lastReason})`);
    this.refused(req, e, null);
    throw e;
  }

  /** The hard filter and the live-state confirmation: the only nodes this request may ever reach. */
  private async compliantCandidates(req: RouteRequest): Promise<Candidate[]> {
    let nodes;
    try {
      nodes = await this.directory.approvedNodes();
    } catch (err) {
      const e = this.refusal('state_unknown', 'the hub cannot reach its database, so it cannot establish which nodes this key may use');
      e.cause = err;
      throw e;
    }
    const selection = selectCandidates({
      policy: req.key,
      orgId: req.key.org_id,
      model: req.model,
      needs: req.needs,
      nodes,
      connection: (id) => this.registry.get(id),
      now: Date.now(),
      presenceTtlMs: this.deps.config.presenceTtlMs,
    });
    if ('refused' in selection) throw this.refusal(selection.refused, selection.message);
    // Node state lives in Redis for every replica; while it cannot be reached nothing is routed.
    if (!this.deps.redisHealth.healthy()) throw this.refusal('state_unknown', 'the hub cannot reach Redis, so it cannot establish which nodes are online');
    return selection.candidates;
  }

  /**
   * The next node to try, from the compliant set only: one that has the model loaded, else one the
   * model is loaded onto now (on demand, within the request's warm-up budget). Null when none is left.
   * Throws `model_warming` when the budget ran out while a load was still going.
   */
  private async nextCandidate(req: RouteRequest, candidates: Candidate[], tried: Set<string>, deadline: number): Promise<Candidate | null> {
    const untried = candidates.filter((c) => !tried.has(c.node.id) && !c.conn.closed);
    const loaded = untried.find((c) => c.loaded || c.conn.state.loaded_models.includes(req.model.id));
    if (loaded) return { ...loaded, loaded: true };
    if (untried.length === 0) return null;
    // A path: the node resolves it against the hub URL it reached us by (see the agent's mirrorUrl).
    const mirror = req.model.sha256 ? `/v1/nodes/mirror/${req.model.sha256}` : null;
    const load = await this.placement.ensureLoaded(req.model, untried, mirror, req.signal, deadline);
    if (load.kind === 'ready') return load.candidate;
    if (load.kind === 'failed') {
      for (const id of load.failed) tried.add(id);
      return null;
    }
    throw this.refusal(
      'warming',
      `${req.model.id} is still loading on a compliant node; retry shortly (progress: GET /public/v1/models/warming?model=${req.model.id})`,
      'model_warming',
      Math.max(1, Math.ceil(this.deps.config.warmupBudgetMs / 4000)),
    );
  }

  private attempt(c: Candidate, streamId: string, req: RouteRequest, sink: RouteSink, hubAddedMs: number): Promise<Attempt> {
    const { config, metrics } = this.deps;
    return new Promise<Attempt>((resolve) => {
      let started = false;
      let settled = false;
      let stream: OpenStream | undefined;
      const settle = (a: Attempt) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        clearTimeout(stall);
        req.signal.removeEventListener('abort', onAbort);
        resolve(a);
      };
      const start = () => {
        if (started) return;
        started = true;
        clearTimeout(timer);
        const ttft = performance.now() - req.receivedAt;
        metrics.timeToFirstToken.observe(ttft / 1000);
        c.conn.latencyEwmaMs = c.conn.latencyEwmaMs === 0 ? ttft : 0.8 * c.conn.latencyEwmaMs + 0.2 * ttft;
        const open = stream!;
        const watched: OpenStream = {
          ...open,
          pause: () => {
            paused = true;
            clearTimeout(stall);
            open.pause();
          },
          resume: () => {
            paused = false;
            rearmStall();
            open.resume();
          },
        };
        rearmStall();
        sink.onStart({ nodeId: c.node.id, region: c.node.region, hubAddedMs }, watched);
      };
      const onAbort = () => {
        stream?.cancel();
        settle({ kind: 'cancelled' });
      };
      const timer = setTimeout(() => {
        if (started) return;
        stream?.cancel();
        settle({ kind: 'retry', reason: `no answer within ${config.firstByteTimeoutMs} ms` });
      }, config.firstByteTimeoutMs);
      // After the first byte, a node that goes quiet (crashed engine, or a malicious node holding the
      // client) ends the response with node_error instead of holding it open for ever. Paused streams
      // are the client's doing, so the clock stops while the hub holds the node back.
      let stall: NodeJS.Timeout | undefined;
      let paused = false;
      const rearmStall = () => {
        clearTimeout(stall);
        if (settled || paused) return;
        stall = setTimeout(() => {
          stream?.cancel();
          settle({ kind: 'failed', error: new HubError('node_error', `the node sent nothing for ${config.streamStallTimeoutMs} ms mid-response`) });
        }, config.streamStallTimeoutMs);
      };

      stream = c.conn.open(req.build(streamId), {
        onDelta: (m) => {
          if (settled) return;
          start();
          rearmStall();
          sink.onDelta(m);
        },
        onResult: (m) => {
          if (settled) return;
          start();
          rearmStall();
          sink.onResult(m);
        },
        onDone: (m) => {
          if (settled) return;
          start();
          sink.onDone(m);
          settle({ kind: 'done', usage: m.usage });
        },
        onError: (m) => {
          if (started) settle({ kind: 'failed', error: new HubError('node_error', `the node failed mid-response: ${m.message}`) });
          else if (m.retryable) settle({ kind: 'retry', reason: m.message, busy: m.code === NODE_BUSY });
          else if (m.code === 'invalid_request') settle({ kind: 'rejected', error: new HubError('invalid_request_error', m.message) });
          else settle({ kind: 'rejected', error: new HubError('node_error', `the node could not serve the request: ${m.message}`) });
        },
        onLost: (reason) => {
          if (started) settle({ kind: 'failed', error: new HubError('node_error', `the node disconnected mid-response (${reason})`) });
          else settle({ kind: 'retry', reason: `node disconnected (${reason})` });
        },
      });
      if (!stream) {
        settle({ kind: 'retry', reason: 'tunnel closed' });
        return;
      }
      if (req.signal.aborted) onAbort();
      else req.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Every refusal at routing time is made here, so each one is counted by the constraint or cause behind it. */
  private refusal(
    reason: RefusalReason | 'state_unknown' | 'audit_unavailable' | 'node_failures' | 'load_failed' | 'warming',
    message: string,
    code: 'no_available_node' | 'model_warming' = 'no_available_node',
    retryAfterS = this.deps.config.retryAfterS,
  ): HubError {
    this.deps.metrics.routingRefusals.inc({ reason });
    const text = code === 'model_warming' || message.startsWith('No node') ? message : `No node satisfying this key's policy can serve this request: ${message}.`;
    return new HubError(code, text, { retryAfterS });
  }

  private entry(req: RouteRequest, c: Candidate | null, event: AuditEntry['event'], outcome: string, detail: Record<string, unknown> | null): AuditEntry {
    return {
      event,
      request_id: req.requestId,
      key_id: req.key.id,
      org_id: req.key.org_id,
      model: req.model.id,
      node_id: c?.node.id ?? null,
      node_region: c?.node.region ?? null,
      node_org_id: c?.node.org_id ?? null,
      node_trust: c?.node.trust_class ?? null,
      policy: { fleet: req.key.fleet, regions: req.key.regions, min_trust: req.key.min_trust, models: req.key.models },
      outcome,
      detail,
    };
  }

  /** Refusals are audited best-effort: the refusal itself must not wait on (or fail with) the audit store. */
  private refused(req: RouteRequest, err: HubError, c: Candidate | null): void {
    const entry = { ...this.entry(req, c, 'refuse', 'refused', { message: err.message }), error_code: err.code };
    void this.deps.audit.append(entry, { durable: false }).catch(() => this.deps.metrics.auditFailures.inc());
  }

  private complete(req: RouteRequest, c: Candidate, outcome: string, usage: Usage | null, detail: Record<string, unknown> | null): void {
    const entry: AuditEntry = {
      ...this.entry(req, c, 'complete', outcome, detail),
      prompt_tokens: usage?.prompt_tokens ?? null,
      completion_tokens: usage?.completion_tokens ?? null,
      timings: { total_ms: Math.round(performance.now() - req.receivedAt) },
    };
    void this.deps.audit.append(entry, { durable: false }).catch((err: Error) => {
      this.deps.metrics.auditFailures.inc();
      this.deps.log.error('audit completion record lost', { requestId: req.requestId, err: err.message });
    });
  }
}
