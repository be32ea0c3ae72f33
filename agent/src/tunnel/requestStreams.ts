import { NODE_BUSY, requestLimitProblem, type NodeMessage, type RequestMessage } from '@porten/shared/protocol';
import type { Logger } from '@porten/shared/log';
import { DELTA_WINDOW_MS } from '../engines/textWindow.ts';
import type { Engine, EngineSink } from '../engines/types.ts';
import { AgentError, isAgentError } from '../errors/index.ts';

type StreamFrame = Extract<NodeMessage, { id: string }>;
type ContentDelta = Extract<StreamFrame, { type: 'delta' }> & { content: string };

/** A delta with text only: these merge by concatenation (a tool-call fragment never merges). */
const isContentDelta = (f: StreamFrame): f is ContentDelta => f.type === 'delta' && f.tool_calls === undefined && f.content !== undefined;

export interface RequestStreamsOptions {
  engine: Engine;
  /** Sends a frame on the current tunnel (dropped when there is none). */
  send(frame: StreamFrame): void;
  maxConcurrency: number;
  /** Requests waiting for a slot; beyond it a request is refused (retryable) so the hub goes elsewhere. */
  maxQueue: number;
  /** Output a paused stream may hold back before it is failed with `client_too_slow`. Default 4 MiB. */
  maxBufferedBytes?: number;
  /**
   * How long a content delta may wait to share a frame with the ones after it, once the stream sent
   * content less than this long ago (see out). Default DELTA_WINDOW_MS; 0 merges only within one turn.
   */
  deltaWindowMs?: number;
  /** Told when a request starts and ends in the engine (so its model is not evicted meanwhile). */
  usage?: { begin(model: string): void; end(model: string): void };
  log: Logger;
}

interface Stream {
  request: RequestMessage;
  controller: AbortController;
  /** The engine is running it (not queued). */
  started: boolean;
  /** The engine's promise settled. */
  settled: boolean;
  /** done / error is queued or sent: nothing more goes out. */
  ended: boolean;
  /** The hub cancelled it, or the tunnel it belonged to is gone: nothing goes out. */
  silenced: boolean;
  /** A delta or result reached the hub's side of the wire (or the buffer): errors are no longer retryable. */
  produced: boolean;
  paused: boolean;
  /** Frames not sent yet: content deltas waiting to leave together (merged), or everything while paused. */
  buffer: StreamFrame[];
  bufferedBytes: number;
  /** The pending send of the held deltas (see out). */
  flushAt: { cancel(): void } | undefined;
  /** performance.now() when content last left for this stream. */
  sentAt: number;
}

/**
 * The requests multiplexed over the tunnel: each runs in the engine with its own AbortController
 * (`cancel` aborts it), at most `maxConcurrency` at once, the rest queued. `pause` holds a stream's
 * frames back (content deltas merged) up to a bound; `resume` flushes them. Content deltas produced
 * close together leave as one frame (see out). Errors become `error` frames, retryable only while
 * nothing was produced. A stream counts as in flight until its engine run settled and its last
 * frame left, which is what a drain waits for.
 *
 * Rejected alternative: pausing the engine itself. The Engine contract is push-only (EngineSink), and
 * generation is slow next to a socket, so a bounded buffer costs little and keeps every engine simple.
 */
export class RequestStreams {
  private readonly streams = new Map<string, Stream>();
  private readonly queue: Stream[] = [];
  private readonly idleWaiters = new Set<() => void>();
  private readonly opts: Required<Omit<RequestStreamsOptions, 'usage'>> & Pick<RequestStreamsOptions, 'usage'>;
  private running = 0;
  private draining = false;

  constructor(opts: RequestStreamsOptions) {
    this.opts = { maxBufferedBytes: 4 * 1024 * 1024, deltaWindowMs: DELTA_WINDOW_MS, ...opts };
  }

  /** Requests in the engine or with frames still to send. */
  get inFlight(): number {
    return this.streams.size - this.queue.length;
  }

  get queueDepth(): number {
    return this.queue.length;
  }

  accept(request: RequestMessage): void {
    if (this.streams.has(request.id)) {
      this.opts.log.warn('hub sent a request id that is already in flight; ignored', { id: request.id });
      return;
    }
    // Checked again here, whatever the hub let through: no request may reach an engine that could not
    // take it (a deep schema once killed the builtin engine's child process in its IPC decoder).
    const tooBig = requestLimitProblem(request);
    if (tooBig) {
      this.opts.send({ type: 'error', id: request.id, code: 'invalid_request', message: `${tooBig.message} (param ${tooBig.param})`, retryable: false });
      return;
    }
    if (this.draining) {
      this.opts.send({ type: 'error', id: request.id, code: 'node_draining', message: 'the node is shutting down and takes no new requests', retryable: true });
      return;
    }
    if (this.running >= this.opts.maxConcurrency && this.queue.length >= this.opts.maxQueue) {
      this.opts.send({ type: 'error', id: request.id, code: NODE_BUSY, message: `the node's queue is full (${this.queue.length} waiting)`, retryable: true });
      return;
    }
    const s: Stream = {
      request,
      controller: new AbortController(),
      started: false,
      settled: false,
      ended: false,
      silenced: false,
      produced: false,
      paused: false,
      buffer: [],
      bufferedBytes: 0,
      flushAt: undefined,
      sentAt: -Infinity,
    };
    this.streams.set(request.id, s);
    this.queue.push(s);
    this.pump();
  }

  /** The client went away: stop the engine, send nothing more. */
  cancel(id: string): void {
    const s = this.streams.get(id);
    if (!s) return;
    s.silenced = true;
    s.flushAt?.cancel();
    s.controller.abort(new AgentError('cancelled', 'the client went away'));
    this.dequeue(s);
    this.retireIfDone(s);
  }

  pause(id: string): void {
    const s = this.streams.get(id);
    if (s) s.paused = true;
  }

  resume(id: string): void {
    const s = this.streams.get(id);
    if (!s) return;
    s.paused = false;
    this.flush(s);
    this.retireIfDone(s);
  }

  /** No new requests from now on: queued ones are refused (retryable) so the hub sends them elsewhere. */
  drain(): void {
    this.draining = true;
    for (const s of [...this.queue]) {
      this.dequeue(s);
      this.end(s, { type: 'error', id: s.request.id, code: 'node_draining', message: 'the node is shutting down and takes no new requests', retryable: true });
      s.settled = true;
      this.retireIfDone(s);
    }
  }

  /** The tunnel is gone: the hub has forgotten these streams. Abort them all and send nothing. */
  abortAll(reason: string): void {
    for (const s of [...this.streams.values()]) {
      s.silenced = true;
      s.buffer = [];
      s.flushAt?.cancel();
      s.controller.abort(new AgentError('cancelled', reason));
      this.dequeue(s);
      this.retireIfDone(s);
    }
  }

  /** Resolves when nothing is in flight or queued. */
  idle(): Promise<void> {
    if (this.streams.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.add(resolve));
  }

  private dequeue(s: Stream): void {
    const i = this.queue.indexOf(s);
    if (i >= 0) {
      this.queue.splice(i, 1);
      s.settled = true; // never started: there is no engine run to wait for
    }
  }

  private pump(): void {
    while (this.running < this.opts.maxConcurrency && this.queue.length > 0) {
      const s = this.queue.shift()!;
      s.started = true;
      this.running++;
      void this.execute(s);
    }
  }

  private async execute(s: Stream): Promise<void> {
    const id = s.request.id;
    const sink: EngineSink = {
      delta: (part) => {
        if (s.ended) return;
        const frame: StreamFrame = { type: 'delta', id };
        if (part.content !== undefined) frame.content = part.content;
        if (part.tool_calls !== undefined) frame.tool_calls = part.tool_calls;
        s.produced = true;
        this.out(s, frame);
      },
      result: (embeddings) => {
        if (s.ended) return;
        s.produced = true;
        this.out(s, { type: 'result', id, embeddings });
      },
      done: (finish, usage) => {
        if (s.ended) return;
        this.end(s, { type: 'done', id, finish_reason: finish, usage });
      },
    };
    this.opts.usage?.begin(s.request.model);
    try {
      await this.opts.engine.run(s.request, sink, s.controller.signal);
      if (!s.ended && !s.silenced) {
        this.opts.log.error('engine returned without finishing the request (this is a bug)', { id, engine: this.opts.engine.kind });
        this.end(s, { type: 'error', id, code: 'engine_error', message: 'the engine ended the request without a result', retryable: !s.produced });
      }
    } catch (err) {
      if (!s.ended && !s.silenced) {
        const known = isAgentError(err);
        if (!known) this.opts.log.error('engine failed with an unexpected error (this is a bug)', { id, err: (err as Error)?.stack ?? String(err) });
        else this.opts.log.warn('request failed', { id, model: s.request.model, code: err.code, err: err.message });
        this.end(s, {
          type: 'error',
          id,
          code: known ? err.code : 'engine_error',
          message: known ? err.message : `the engine failed: ${(err as Error)?.message ?? String(err)}`,
          retryable: known && err.retryable && !s.produced,
        });
      }
    } finally {
      this.opts.usage?.end(s.request.model);
      s.settled = true;
      this.running--;
      this.retireIfDone(s);
      this.pump();
    }
  }

  private end(s: Stream, frame: StreamFrame): void {
    s.ended = true;
    this.out(s, frame);
  }

  /**
   * Sends a frame, in order with the stream's earlier ones. Content deltas are held and merged, and
   * leave together at the end of the event-loop turn, or — when the stream sent content less than
   * `deltaWindowMs` ago — when that window ends. So a stream's first delta (time to first token)
   * and any delta after a gap of at least the window leave without waiting, while a model producing
   * tokens faster than one per window (a small model on a fast machine) sends one tunnel frame, and
   * the hub writes one SSE chunk, per window instead of per token: each costs a socket write
   * (~0.1 ms on loopback, most of the agent's and hub's CPU per token in bench:agent). No delta
   * waits more than the window. Any other frame first sends what is held. A paused stream holds
   * everything, up to the bound.
   *
   * Rejected alternative: merging only within one turn. The engine's tokens arrive one per turn
   * unless the agent is starved, so that alone merged almost nothing (127 chunks of 128 tokens at p50).
   */
  private out(s: Stream, frame: StreamFrame): void {
    if (s.silenced) return;
    if (!s.paused && !isContentDelta(frame)) {
      if (s.buffer.length > 0) this.flush(s);
      this.opts.send(frame);
      return;
    }
    const last = s.buffer[s.buffer.length - 1];
    if (isContentDelta(frame) && last !== undefined && isContentDelta(last)) {
      last.content += frame.content;
    } else {
      s.buffer.push(frame); // built by this class for this call (sink.delta): ours to merge into
    }
    s.bufferedBytes += frame.type === 'delta' ? (frame.content?.length ?? 0) + JSON.stringify(frame.tool_calls ?? '').length : frame.type === 'result' ? JSON.stringify(frame.embeddings).length : 64;
    if (!s.paused) {
      s.flushAt ??= this.scheduleFlush(s);
      return;
    }
    if (s.bufferedBytes > this.opts.maxBufferedBytes && !(frame.type === 'done' || frame.type === 'error')) {
      // The client stopped reading: give up on this stream rather than hold unbounded output.
      s.buffer = [];
      s.bufferedBytes = 0;
      s.paused = false;
      s.controller.abort(new AgentError('client_too_slow', 'paused too long'));
      this.end(s, { type: 'error', id: s.request.id, code: 'client_too_slow', message: `the client did not read ${this.opts.maxBufferedBytes} bytes of output; the stream was stopped`, retryable: false });
    }
  }

  /** Sends the held deltas at the end of this turn, or of the stream's window; a stream paused meanwhile keeps them for resume. */
  private scheduleFlush(s: Stream): { cancel(): void } {
    const run = () => {
      s.flushAt = undefined;
      if (s.paused) return;
      this.flush(s);
      this.retireIfDone(s);
    };
    const wait = s.sentAt + this.opts.deltaWindowMs - performance.now();
    if (wait > 0) {
      const timer = setTimeout(run, wait);
      return { cancel: () => clearTimeout(timer) };
    }
    const immediate = setImmediate(run);
    return { cancel: () => clearImmediate(immediate) };
  }

  /** Sends every frame the stream holds, in order (none when it was silenced). */
  private flush(s: Stream): void {
    s.flushAt?.cancel();
    s.flushAt = undefined;
    const frames = s.buffer;
    s.buffer = [];
    s.bufferedBytes = 0;
    if (s.silenced || frames.length === 0) return;
    for (const f of frames) this.opts.send(f);
    s.sentAt = performance.now();
  }

  /** Forgets a stream once its engine run settled and nothing is left to send (or it was silenced). */
  private retireIfDone(s: Stream): void {
    if (!s.settled) return;
    if (!s.silenced && s.buffer.length > 0) return;
    if (!this.streams.delete(s.request.id)) return;
    if (this.streams.size === 0) {
      for (const w of [...this.idleWaiters]) w();
      this.idleWaiters.clear();
    }
  }
}
