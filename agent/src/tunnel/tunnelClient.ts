import type { WebSocket } from 'ws';
import { PROTOCOL_VERSION, type AssignmentMessage, type Capacity, type HubMessage, type NodeMessage, type WelcomeMessage } from '@porten/shared/protocol';
import type { Logger } from '@porten/shared/log';
import type { Engine } from '../engines/types.ts';
import { AgentError, isAgentError } from '../errors/index.ts';
import { Backoff } from './backoff.ts';
import { ModelLoads } from './modelLoads.ts';
import { closeError, HUB_CLOSE, openTunnel } from './openTunnel.ts';
import { RequestStreams } from './requestStreams.ts';
import type { ModelSource, TunnelStatus } from './types.ts';

export interface TunnelClientOptions {
  hubUrl: string;
  credential: string;
  agentVersion: string;
  engine: Engine;
  models: ModelSource | undefined;
  vramBudgetMb: number;
  maxConcurrency: number;
  log: Logger;
  /** Called whenever the status changes (connected, welcome, loaded models, drain). */
  onStatus?(status: TunnelStatus): void;
  /** Reconnect back-off; default 500 ms doubling to 30 s, jittered. */
  backoff?: Backoff;
}

/** Why the client stopped for good. */
export type TunnelEnd = { kind: 'drained'; timedOut: boolean } | { kind: 'stopped' } | { kind: 'failed'; error: AgentError };

/** A tunnel that heard nothing (not even a pong) for this many heartbeat intervals is dead. */
const SILENT_INTERVALS = 3;
const MIN_SILENCE_MS = 15_000;

/**
 * The node's one outbound tunnel to the hub, kept up until drained or stopped: connects, says
 * `hello`, heartbeats at the interval the hub's `welcome` names, runs requests in the engine,
 * answers load/unload, and reconnects with jittered back-off when the network or the hub goes away.
 * It stops for good — `ended` resolves with the reason — when the hub rejects the credential (401,
 * close 4001), another agent took over the node (4002) or the hub calls the protocol broken (4003).
 */
export class TunnelClient {
  readonly ended: Promise<TunnelEnd>;
  private readonly opts: TunnelClientOptions;
  private readonly streams: RequestStreams;
  private readonly loads: ModelLoads;
  private readonly backoff: Backoff;
  private ws: WebSocket | undefined;
  private welcome: WelcomeMessage | undefined;
  private connectedAt: number | undefined;
  private lastError: string | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private lastHeard = 0;
  private draining = false;
  private finished = false;
  private finish!: (end: TunnelEnd) => void;

  constructor(opts: TunnelClientOptions) {
    this.opts = opts;
    this.backoff = opts.backoff ?? new Backoff();
    this.ended = new Promise((resolve) => (this.finish = resolve));
    this.loads = new ModelLoads({ engine: opts.engine, models: opts.models, budgetMb: opts.vramBudgetMb, send: (f) => this.send(f), log: opts.log });
    this.streams = new RequestStreams({
      engine: opts.engine,
      send: (f) => this.send(f),
      maxConcurrency: opts.maxConcurrency,
      maxQueue: opts.maxConcurrency * 4,
      usage: this.loads,
      log: opts.log,
    });
  }

  start(): void {
    void this.connect();
  }

  status(): TunnelStatus {
    return {
      connected: this.ws !== undefined,
      welcome: this.welcome,
      connected_at: this.connectedAt,
      last_error: this.lastError,
      draining: this.draining,
      in_flight: this.streams.inFlight,
      queue_depth: this.streams.queueDepth,
      loaded_models: this.draining ? [] : this.opts.engine.loadedModels(),
    };
  }

  /**
   * Stops taking work and finishes what is in flight, then closes the tunnel. New requests are
   * answered with a retryable error and heartbeats advertise no model, so the hub sends work
   * elsewhere. After `timeoutMs` (0 = none) what still runs is aborted.
   */
  async drain(timeoutMs: number): Promise<TunnelEnd> {
    if (this.finished) return this.ended;
    this.draining = true;
    this.streams.drain();
    this.loads.refuse('the node is shutting down');
    this.beat();
    this.changed();
    this.opts.log.info('draining: finishing requests in flight', { in_flight: this.streams.inFlight });
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.streams.idle(),
      ...(timeoutMs > 0 ? [new Promise<void>((r) => (timer = setTimeout(() => ((timedOut = true), r()), timeoutMs)))] : []),
    ]);
    clearTimeout(timer);
    if (timedOut) this.opts.log.warn('drain timeout: aborting requests still in flight', { in_flight: this.streams.inFlight });
    this.end({ kind: 'drained', timedOut }, 1000, 'agent drained');
    return this.ended;
  }

  /** Closes at once: in-flight requests are aborted (the hub retries those that produced nothing). */
  stop(): void {
    this.end({ kind: 'stopped' }, 1000, 'agent stopped');
  }

  private async connect(): Promise<void> {
    if (this.finished) return;
    try {
      const { ws, welcome } = await openTunnel({
        hubUrl: this.opts.hubUrl,
        credential: this.opts.credential,
        hello: {
          type: 'hello',
          protocol: PROTOCOL_VERSION,
          agent_version: this.opts.agentVersion,
          engine: { kind: this.opts.engine.kind, capabilities: this.opts.engine.capabilities() },
          capacity: this.capacity(),
          loaded_models: this.draining ? [] : this.opts.engine.loadedModels(),
        },
        onFrame: (m) => this.handle(m),
        onInvalid: (problem) => this.opts.log.warn('dropping a frame from the hub that is not valid protocol', { problem }),
        onClose: (socket, code, reason) => this.closed(socket, code, reason),
      });
      if (this.finished) {
        ws.close(1000, 'agent stopped');
        return;
      }
      if (ws.readyState !== ws.OPEN) {
        this.lost(new AgentError('hub_unreachable', `the hub at ${this.opts.hubUrl} closed the tunnel right after welcome`));
        return;
      }
      this.ws = ws;
      this.welcome = welcome;
      this.connectedAt = Date.now();
      this.lastError = undefined;
      this.lastHeard = Date.now();
      this.backoff.reset();
      ws.on('pong', () => (this.lastHeard = Date.now()));
      ws.on('message', () => (this.lastHeard = Date.now()));
      this.startHeartbeat(welcome.heartbeat_interval_ms);
      this.opts.log.info('connected to the hub', { hub: this.opts.hubUrl, node: welcome.node_id, region: welcome.region, trust_class: welcome.trust_class });
      this.changed();
      if (this.draining && this.streams.inFlight === 0) this.end({ kind: 'drained', timedOut: false }, 1000, 'agent drained');
    } catch (err) {
      const error = isAgentError(err) ? err : new AgentError('hub_unreachable', (err as Error).message, { cause: err });
      this.lost(error);
    }
  }

  private closed(ws: WebSocket, code: number, reason: string): void {
    if (ws !== this.ws) return; // an old socket, already given up
    this.ws = undefined;
    this.connectedAt = undefined;
    this.stopHeartbeat();
    this.streams.abortAll('the tunnel closed');
    if (this.finished) return;
    const fatal = code === HUB_CLOSE.revoked || code === HUB_CLOSE.replaced || code === HUB_CLOSE.protocolError;
    this.lost(closeError(code, reason, this.opts.hubUrl), fatal);
  }

  /** A connection attempt failed or the tunnel dropped: reconnect later, or stop for good. */
  private lost(error: AgentError, fatal = !error.retryable): void {
    this.lastError = error.message;
    this.changed();
    if (this.finished) return;
    if (fatal) {
      this.opts.log.error('tunnel stopped for good', { code: error.code, err: error.message });
      this.end({ kind: 'failed', error }, 1000, error.message);
      return;
    }
    if (this.draining) {
      // Nothing in flight survives a lost tunnel, so the drain is over.
      this.end({ kind: 'drained', timedOut: false }, 1000, 'agent drained');
      return;
    }
    const delay = this.backoff.next();
    this.opts.log.warn('hub unreachable; reconnecting', { err: error.message, retry_in_ms: delay });
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  private handle(m: HubMessage): void {
    switch (m.type) {
      case 'request':
        this.streams.accept(m);
        break;
      case 'cancel':
        this.streams.cancel(m.id);
        break;
      case 'pause':
        this.streams.pause(m.id);
        break;
      case 'resume':
        this.streams.resume(m.id);
        break;
      case 'load':
        void this.loads.load({ ...m, url: mirrorUrl(m.url, this.opts.hubUrl) }).then(() => this.changed());
        break;
      case 'unload':
        void this.loads.unload(m).then(() => this.changed());
        break;
      case 'assignment':
        this.reassigned(m);
        break;
      case 'welcome':
        break;
    }
  }

  /**
   * An operator changed this node's name, region or trust class: keep the status current (`porten
   * status` reads it from the run state). Display only — the hub routes by its own records.
   */
  private reassigned(m: AssignmentMessage): void {
    if (!this.welcome) return;
    this.welcome = { ...this.welcome, name: m.name, region: m.region, trust_class: m.trust_class };
    this.opts.log.info('the hub changed this node\'s assignment', { name: m.name, region: m.region, trust_class: m.trust_class });
    this.changed();
  }

  private capacity(): Capacity {
    return {
      vram_total_mb: this.opts.vramBudgetMb,
      vram_free_mb: this.draining ? 0 : this.loads.freeMb(),
      max_concurrency: this.opts.maxConcurrency,
    };
  }

  private startHeartbeat(intervalMs: number): void {
    this.stopHeartbeat();
    const silenceMs = Math.max(MIN_SILENCE_MS, SILENT_INTERVALS * intervalMs);
    this.heartbeat = setInterval(() => {
      if (Date.now() - this.lastHeard > silenceMs) {
        this.opts.log.warn('the hub went silent; reconnecting', { silent_ms: Date.now() - this.lastHeard });
        this.ws?.terminate();
        return;
      }
      this.beat();
      const ws = this.ws;
      if (ws && ws.readyState === ws.OPEN) ws.ping(); // ping() throws on a socket already closing
    }, intervalMs);
    this.beat();
  }

  private beat(): void {
    this.send({
      type: 'heartbeat',
      capacity: this.capacity(),
      loaded_models: this.draining ? [] : this.opts.engine.loadedModels(),
      in_flight: this.streams.inFlight,
      queue_depth: this.streams.queueDepth,
    });
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private send(m: NodeMessage): void {
    const ws = this.ws;
    if (ws && ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
  }

  private changed(): void {
    this.opts.onStatus?.(this.status());
  }

  private end(end: TunnelEnd, code: number, reason: string): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.retryTimer);
    this.stopHeartbeat();
    this.streams.abortAll(reason);
    this.loads.close();
    const ws = this.ws;
    this.ws = undefined;
    if (ws && (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING)) ws.close(code, reason.slice(0, 120));
    this.changed();
    this.finish(end);
  }
}

/**
 * The mirror URL of a `load` frame, resolved against the hub URL this node connects to: the hub
 * sends a path (`/v1/nodes/mirror/<sha256>`) because the address that reaches it from here is the
 * node's to know (a node in a container reaches `http://hub:8080`, not the hub's published
 * 127.0.0.1). Anything on another origin becomes null (the load then fails as having no weights):
 * the node credential that authenticates the download is only ever sent to the hub itself.
 */
export function mirrorUrl(url: string | null, hubUrl: string): string | null {
  if (url === null) return null;
  try {
    const resolved = new URL(url, hubUrl);
    return resolved.origin === new URL(hubUrl).origin ? resolved.href : null;
  } catch {
    return null;
  }
}

