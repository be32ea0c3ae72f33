import { WebSocket } from 'ws';
import type { Capacity, EngineCapability, EngineKind, HubMessage, RequestMessage, WelcomeMessage } from '@porten/shared/protocol';
import { PROTOCOL_VERSION, TUNNEL_PATH } from '@porten/shared/protocol';

/** How a TestNode answers one request. */
export type Behaviour =
  | { kind: 'reply'; text: string; tokenDelayMs?: number; finish?: 'stop' | 'length' | 'tool_calls' }
  | { kind: 'die_before_first_byte' }
  | { kind: 'die_after_first_byte'; text: string }
  | { kind: 'error'; retryable: boolean; code?: string; message: string }
  | { kind: 'hang' }
  /** Raw text frames sent as they are (a malicious node's answer); built from the request, so they may name its id. */
  | { kind: 'frames'; frames: string[] };

export interface TestNodeOptions {
  hubUrl: string;
  credential: string;
  engine?: EngineKind;
  capabilities?: EngineCapability[];
  capacity?: Capacity;
  loadedModels?: string[];
  heartbeatMs?: number;
  /** queue_depth reported in heartbeats (a busy node scores lower). */
  queueDepth?: number;
  /** Extra fields put into every heartbeat (e.g. a forged `region`), to prove the hub ignores them. */
  heartbeatExtras?: Record<string, unknown>;
  /** How to answer; default echoes a fixed reply naming the node. */
  behaviour?: (req: RequestMessage) => Behaviour;
  /** Simulated load time for `load` commands (ms); null = never finish loading. */
  loadMs?: number | null;
  /** Answer `load` with a failure. */
  failLoads?: boolean;
}

/**
 * A protocol-level node for tests and the hub benchmark: a real WebSocket client speaking the tunnel
 * protocol to a real hub. It implements the node side of the protocol itself (no inference): the
 * hub under test cannot tell it from an agent.
 */
export class TestNode {
  readonly name: string;
  readonly requests: RequestMessage[] = [];
  readonly cancelled: string[] = [];
  /** Request ids that arrived while a request with the same id was still open here (ignored, as the agent does). */
  readonly duplicateIds: string[] = [];
  readonly loadsRequested: string[] = [];
  /** Every pause/resume frame received, in order, e.g. `pause:<id>`. */
  readonly flow: string[] = [];
  welcome: WelcomeMessage | undefined;
  closeCode: number | undefined;
  closeReason = '';
  private ws: WebSocket | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly opts: Required<Omit<TestNodeOptions, 'loadMs'>> & { loadMs: number | null };
  private loaded: string[];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly paused = new Set<string>();
  /** Ids of requests answered and not yet done/errored/cancelled. */
  private readonly open = new Set<string>();

  constructor(name: string, opts: TestNodeOptions) {
    this.name = name;
    this.opts = {
      engine: 'builtin',
      capabilities: ['chat', 'completions', 'embeddings'],
      capacity: { vram_total_mb: 8000, vram_free_mb: 8000, max_concurrency: 64 },
      loadedModels: [],
      heartbeatMs: 100,
      heartbeatExtras: {},
      queueDepth: 0,
      behaviour: () => ({ kind: 'reply', text: `hello from ${name}` }),
      failLoads: false,
      ...opts,
      loadMs: opts.loadMs === undefined ? 50 : opts.loadMs,
    };
    this.loaded = [...this.opts.loadedModels];
  }

  get loadedModels(): string[] {
    return [...this.loaded];
  }

  /** Connects and resolves once the hub sent `welcome`; rejects with the hub's refusal otherwise. */
  connect(): Promise<WelcomeMessage> {
    const url = this.opts.hubUrl.replace(/^http/, 'ws') + TUNNEL_PATH;
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${this.opts.credential}` } });
    this.ws = ws;
    this.closeCode = undefined;
    return new Promise((resolve, reject) => {
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => reject(Object.assign(new Error(`tunnel refused: ${res.statusCode} ${body}`), { status: res.statusCode, body })));
      });
      ws.on('error', reject);
      ws.on('open', () => {
        this.send({
          type: 'hello',
          protocol: PROTOCOL_VERSION,
          agent_version: 'test-node',
          engine: { kind: this.opts.engine, capabilities: this.opts.capabilities },
          capacity: this.opts.capacity,
          loaded_models: this.loaded,
        });
      });
      ws.on('message', (data) => {
        const msg = JSON.parse(data.toString()) as HubMessage;
        if (msg.type === 'welcome') {
          this.welcome = msg;
          this.startHeartbeat();
          resolve(msg);
          return;
        }
        this.handle(msg);
      });
      ws.on('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        this.stopHeartbeat();
        reject(new Error(`tunnel closed before welcome: ${code} ${reason.toString()}`));
      });
    });
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    const beat = () =>
      this.send({
        type: 'heartbeat',
        capacity: this.opts.capacity,
        loaded_models: this.loaded,
        in_flight: 0,
        queue_depth: this.opts.queueDepth,
        ...this.opts.heartbeatExtras,
      });
    beat();
    this.heartbeat = setInterval(beat, this.opts.heartbeatMs);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  /** Stops heartbeating but keeps the socket: the hub must notice the node went quiet. */
  freeze(): void {
    this.stopHeartbeat();
  }

  private send(m: unknown): void {
    const frame = m as { type?: string; id?: string };
    if ((frame.type === 'done' || frame.type === 'error') && frame.id !== undefined) this.open.delete(frame.id);
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(m));
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private handle(msg: HubMessage): void {
    switch (msg.type) {
      case 'request':
        if (this.open.has(msg.id)) {
          this.duplicateIds.push(msg.id);
          break;
        }
        this.requests.push(msg);
        this.open.add(msg.id);
        this.answer(msg);
        break;
      case 'cancel':
        this.cancelled.push(msg.id);
        this.open.delete(msg.id);
        break;
      case 'pause':
        this.paused.add(msg.id);
        this.flow.push(`pause:${msg.id}`);
        break;
      case 'resume':
        this.paused.delete(msg.id);
        this.flow.push(`resume:${msg.id}`);
        break;
      case 'load':
        this.loadsRequested.push(msg.model);
        this.send({ type: 'load_progress', model: msg.model, phase: 'downloading', done_bytes: 0, total_bytes: msg.size_bytes ?? 1000 });
        if (this.opts.failLoads) {
          this.later(10, () => this.send({ type: 'load_progress', model: msg.model, phase: 'failed', done_bytes: 0, total_bytes: 0, error: 'sha256 mismatch' }));
        } else if (this.opts.loadMs !== null) {
          this.later(this.opts.loadMs, () => {
            this.loaded = [...new Set([...this.loaded, msg.model])];
            this.send({ type: 'load_progress', model: msg.model, phase: 'ready', done_bytes: msg.size_bytes ?? 1000, total_bytes: msg.size_bytes ?? 1000 });
          });
        }
        break;
      case 'unload':
        this.loaded = this.loaded.filter((m) => m !== msg.model);
        break;
      default:
        break;
    }
  }

  private answer(req: RequestMessage): void {
    const b = this.opts.behaviour(req);
    const id = req.id;
    switch (b.kind) {
      case 'reply': {
        if (req.kind === 'embedding') {
          this.send({ type: 'result', id, embeddings: req.params.input.map((s) => [s.length, 0.5, -0.25]) });
          this.send({ type: 'done', id, finish_reason: 'stop', usage: { prompt_tokens: req.params.input.join(' ').length, completion_tokens: 0 } });
          return;
        }
        const words = b.text.split(/(?<= )/);
        const delay = b.tokenDelayMs ?? 0;
        // Iterative, yielding every 64 frames, so a long reply neither overflows the stack nor keeps the
        // node from reading the hub's pause/cancel frames (as a real engine producing tokens would not).
        const emit = (start: number) => {
          for (let i = start; i < words.length; i++) {
            if (this.cancelled.includes(id)) return;
            if (this.paused.has(id)) {
              this.later(5, () => emit(i));
              return;
            }
            this.send({ type: 'delta', id, content: words[i] });
            if (delay > 0) {
              this.later(delay, () => emit(i + 1));
              return;
            }
            if ((i + 1) % 64 === 0) {
              setImmediate(() => emit(i + 1));
              return;
            }
          }
          this.send({ type: 'done', id, finish_reason: b.finish ?? 'stop', usage: { prompt_tokens: 7, completion_tokens: words.length } });
        };
        emit(0);
        return;
      }
      case 'die_before_first_byte':
        this.ws?.terminate();
        return;
      case 'die_after_first_byte':
        this.send({ type: 'delta', id, content: b.text });
        this.later(20, () => this.ws?.terminate());
        return;
      case 'error':
        this.send({ type: 'error', id, code: b.code ?? 'engine_error', message: b.message, retryable: b.retryable });
        return;
      case 'hang':
        return;
      case 'frames':
        for (const f of b.frames) this.sendRaw(f);
        return;
    }
  }

  /** Sends one text frame exactly as given, valid or not: what a malicious node can put on its tunnel. */
  sendRaw(text: string): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(text);
  }

  /** Whether the tunnel is still open (the hub closes it on a protocol violation). */
  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  /** Closes the tunnel like a stopped agent. */
  async stop(): Promise<void> {
    this.stopHeartbeat();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      ws.once('close', () => resolve());
      ws.close(1000, 'test node stopped');
    });
  }

  /** Resolves when the hub closes the tunnel (e.g. on revocation). */
  waitClosed(timeoutMs = 5000): Promise<number> {
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return Promise.resolve(this.closeCode ?? 0);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('tunnel not closed in time')), timeoutMs);
      ws.once('close', (code) => {
        clearTimeout(t);
        resolve(code);
      });
    });
  }
}
