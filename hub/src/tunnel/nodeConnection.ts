import type { WebSocket } from 'ws';
import type {
  Capacity,
  DeltaMessage,
  DoneMessage,
  EngineCapability,
  EngineKind,
  HubMessage,
  LoadProgressMessage,
  RequestMessage,
  ResultMessage,
  StreamErrorMessage,
} from '@porten/shared/protocol';

/** Callbacks of one multiplexed request stream. Exactly one of onDone / onError / onLost ends it. */
export interface StreamHandlers {
  onDelta(m: DeltaMessage): void;
  onResult(m: ResultMessage): void;
  onDone(m: DoneMessage): void;
  onError(m: StreamErrorMessage): void;
  /** The tunnel dropped (node died, revoked, network): the node will send nothing more. */
  onLost(reason: string): void;
}

export interface OpenStream {
  readonly id: string;
  cancel(): void;
  pause(): void;
  resume(): void;
  /** Stops routing further events to the handlers without telling the node (used after cancel). */
  detach(): void;
}

/** The node's self-reported, non-authoritative state (never region or trust). */
export interface NodeLiveState {
  engine: EngineKind;
  capabilities: EngineCapability[];
  capacity: Capacity;
  loaded_models: string[];
  agent_version: string;
  queue_depth: number;
  last_heartbeat_at: number;
}

/**
 * One node's tunnel on this replica. Owns the request streams multiplexed over it; when the socket
 * closes every open stream is told `onLost`, so the router can retry requests that had not produced
 * their first byte yet.
 */
export class NodeConnection {
  readonly nodeId: string;
  readonly connectedAt = Date.now();
  state: NodeLiveState;
  /** Requests dispatched here by this replica and not finished. */
  inFlight = 0;
  /** Exponentially weighted time to first byte, ms (scoring tie-breaker). */
  latencyEwmaMs = 0;
  /** Set on SIGTERM-style drains and on close: no new requests. */
  closed = false;
  private readonly ws: WebSocket;
  private readonly streams = new Map<string, StreamHandlers>();
  private readonly loadListeners = new Set<(m: LoadProgressMessage) => void>();

  constructor(nodeId: string, ws: WebSocket, state: NodeLiveState) {
    this.nodeId = nodeId;
    this.ws = ws;
    this.state = state;
  }

  send(message: HubMessage): boolean {
    if (this.ws.readyState !== this.ws.OPEN) return false;
    this.ws.send(JSON.stringify(message));
    return true;
  }

  /** Opens a request stream. Returns undefined when the tunnel is already gone. */
  open(request: RequestMessage, handlers: StreamHandlers): OpenStream | undefined {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return undefined;
    // Stream ids are the hub's own and unique (http/requestId.ts); a repeat would hand one request's
    // answer to another, so it is a bug to stop at, never a stream to overwrite.
    if (this.streams.has(request.id)) throw new Error(`bug: stream id ${request.id} is already open on the tunnel of node ${this.nodeId}`);
    this.streams.set(request.id, handlers);
    this.inFlight++;
    this.send(request);
    const finish = () => {
      if (this.streams.delete(request.id)) this.inFlight--;
    };
    return {
      id: request.id,
      cancel: () => {
        if (this.streams.has(request.id)) this.send({ type: 'cancel', id: request.id });
        finish();
      },
      pause: () => void this.send({ type: 'pause', id: request.id }),
      resume: () => void this.send({ type: 'resume', id: request.id }),
      detach: finish,
    };
  }

  /** Routes a stream event from the node to its handlers; events for unknown ids (cancelled) are dropped. */
  deliver(m: DeltaMessage | ResultMessage | DoneMessage | StreamErrorMessage): void {
    const h = this.streams.get(m.id);
    if (!h) return;
    switch (m.type) {
      case 'delta':
        h.onDelta(m);
        break;
      case 'result':
        h.onResult(m);
        break;
      case 'done':
        this.streams.delete(m.id);
        this.inFlight--;
        h.onDone(m);
        break;
      case 'error':
        this.streams.delete(m.id);
        this.inFlight--;
        h.onError(m);
        break;
    }
  }

  onLoadProgress(listener: (m: LoadProgressMessage) => void): () => void {
    this.loadListeners.add(listener);
    return () => this.loadListeners.delete(listener);
  }

  deliverLoadProgress(m: LoadProgressMessage): void {
    for (const l of this.loadListeners) l(m);
  }

  /** Closes the socket (if open) and fails every open stream. Idempotent. */
  close(code: number, reason: string): void {
    this.closed = true;
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(code, reason);
    const lost = [...this.streams.values()];
    this.streams.clear();
    this.inFlight = 0;
    for (const h of lost) h.onLost(reason);
    for (const l of this.loadListeners) l({ type: 'load_progress', model: '*', phase: 'failed', done_bytes: 0, total_bytes: 0, error: reason });
  }

  isFresh(now: number, ttlMs: number): boolean {
    return !this.closed && now - this.state.last_heartbeat_at <= ttlMs;
  }

  terminate(): void {
    this.ws.terminate();
  }
}
