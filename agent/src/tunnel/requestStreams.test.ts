import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import type { EngineCapability, NodeMessage, RequestMessage } from '@porten/shared/protocol';
import { silentLogger } from '@porten/shared/log';
import type { Engine, EngineSink, LocalModel } from '../engines/types.ts';
import { AgentError } from '../errors/index.ts';
import { RequestStreams } from './requestStreams.ts';

interface Run {
  sink: EngineSink;
  signal: AbortSignal;
  resolve(): void;
  reject(err: unknown): void;
}

/** An engine whose runs the test drives by hand: each run waits until the test settles it. */
class ScriptedEngine implements Engine {
  readonly kind = 'openai' as const;
  readonly runs = new Map<string, Run>();
  capabilities(): EngineCapability[] {
    return ['chat'];
  }
  loadedModels(): string[] {
    return ['m'];
  }
  async load(_m: LocalModel): Promise<void> {}
  async unload(_id: string): Promise<void> {}
  async close(): Promise<void> {}
  run(request: RequestMessage, sink: EngineSink, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      this.runs.set(request.id, { sink, signal, resolve, reject });
      signal.addEventListener('abort', () => reject(signal.reason));
    });
  }
  get(id: string): Run {
    const r = this.runs.get(id);
    if (!r) throw new Error(`run ${id} has not started`);
    return r;
  }
}

const req = (id: string): RequestMessage => ({ type: 'request', id, kind: 'chat', model: 'm', params: { messages: [] } });
const tick = () => new Promise((r) => setImmediate(r));
const framesOf = (sent: NodeMessage[], id: string) => sent.filter((f) => 'id' in f && f.id === id);

function setup(opts: { maxConcurrency?: number; maxQueue?: number; maxBufferedBytes?: number; deltaWindowMs?: number } = {}) {
  const engine = new ScriptedEngine();
  const sent: NodeMessage[] = [];
  const streams = new RequestStreams({ engine, send: (f) => sent.push(f), maxConcurrency: opts.maxConcurrency ?? 4, maxQueue: opts.maxQueue ?? 4, log: silentLogger, ...(opts.maxBufferedBytes ? { maxBufferedBytes: opts.maxBufferedBytes } : {}), ...(opts.deltaWindowMs !== undefined ? { deltaWindowMs: opts.deltaWindowMs } : {}) });
  return { engine, sent, streams };
}

describe('request streams over the tunnel', () => {
  it('forwards deltas, results and done in order, and forgets the stream once done', async () => {
    const { engine, sent, streams } = setup();
    streams.accept(req('a'));
    const run = engine.get('a');
    run.sink.delta({ content: 'he' });
    run.sink.delta({ tool_calls: [{ index: 0, id: 't', function: { name: 'f' } }] });
    run.sink.done('stop', { prompt_tokens: 3, completion_tokens: 2 });
    expect(streams.inFlight).toBe(1);
    run.resolve();
    await tick();
    expect(sent).toEqual([
      { type: 'delta', id: 'a', content: 'he' },
      { type: 'delta', id: 'a', tool_calls: [{ index: 0, id: 't', function: { name: 'f' } }] },
      { type: 'done', id: 'a', finish_reason: 'stop', usage: { prompt_tokens: 3, completion_tokens: 2 } },
    ]);
    expect(streams.inFlight).toBe(0);
  });

  it('an engine error is retryable only while nothing was produced; an unexpected error is never retryable', async () => {
    const { engine, sent, streams } = setup();
    streams.accept(req('a'));
    streams.accept(req('b'));
    streams.accept(req('c'));
    engine.get('a').reject(new AgentError('upstream_error', 'down'));
    engine.get('b').sink.delta({ content: 'x' });
    engine.get('b').reject(new AgentError('upstream_error', 'cut'));
    engine.get('c').reject(new TypeError('oops'));
    await tick();
    expect(sent.filter((f) => f.type === 'error')).toEqual([
      { type: 'error', id: 'a', code: 'upstream_error', message: 'down', retryable: true },
      { type: 'error', id: 'b', code: 'upstream_error', message: 'cut', retryable: false },
      { type: 'error', id: 'c', code: 'engine_error', message: 'the engine failed: oops', retryable: false },
    ]);
  });

  it('an engine that returns without done or error is reported, not left hanging', async () => {
    const { engine, sent, streams } = setup();
    streams.accept(req('a'));
    engine.get('a').resolve();
    await tick();
    expect(sent).toEqual([{ type: 'error', id: 'a', code: 'engine_error', message: 'the engine ended the request without a result', retryable: true }]);
  });

  it('cancel aborts the engine run and nothing more is sent for it', async () => {
    const { engine, sent, streams } = setup();
    streams.accept(req('a'));
    const run = engine.get('a');
    run.sink.delta({ content: 'x' });
    await tick();
    streams.cancel('a');
    expect(run.signal.aborted).toBe(true);
    run.sink.delta({ content: 'late' });
    await tick();
    expect(sent).toEqual([{ type: 'delta', id: 'a', content: 'x' }]);
    expect(streams.inFlight).toBe(0);
  });

  it('pause holds frames back (content merged) and resume flushes them in order', async () => {
    const { engine, sent, streams } = setup();
    streams.accept(req('a'));
    const run = engine.get('a');
    run.sink.delta({ content: 'a' });
    await tick();
    streams.pause('a');
    run.sink.delta({ content: 'b' });
    run.sink.delta({ content: 'c' });
    run.sink.delta({ tool_calls: [{ index: 0 }] });
    run.sink.delta({ content: 'd' });
    run.sink.done('stop', { prompt_tokens: 1, completion_tokens: 4 });
    run.resolve();
    await tick();
    expect(sent).toEqual([{ type: 'delta', id: 'a', content: 'a' }]);
    expect(streams.inFlight).toBe(1); // finished in the engine, not yet delivered
    streams.resume('a');
    expect(sent.slice(1)).toEqual([
      { type: 'delta', id: 'a', content: 'bc' },
      { type: 'delta', id: 'a', tool_calls: [{ index: 0 }] },
      { type: 'delta', id: 'a', content: 'd' },
      { type: 'done', id: 'a', finish_reason: 'stop', usage: { prompt_tokens: 1, completion_tokens: 4 } },
    ]);
    expect(streams.inFlight).toBe(0);
  });

  it('content deltas of one event-loop turn leave as one frame per run of text, in order with every other frame', async () => {
    const { engine, sent, streams } = setup({ deltaWindowMs: 0 });
    streams.accept(req('a'));
    streams.accept(req('b'));
    const a = engine.get('a');
    const b = engine.get('b');
    const tokens = ['Hé', 'llo', '', ' wör', 'ld', ' 🌍', '\n'];
    for (const t of tokens) {
      a.sink.delta({ content: t });
      b.sink.delta({ content: t.toUpperCase() });
    }
    a.sink.delta({ tool_calls: [{ index: 0, id: 't', function: { name: 'f' } }] });
    a.sink.delta({ content: 'x' });
    a.sink.delta({ content: 'y' });
    a.sink.done('stop', { prompt_tokens: 1, completion_tokens: 10 });
    expect(framesOf(sent, 'a')).toEqual([
      { type: 'delta', id: 'a', content: tokens.join('') },
      { type: 'delta', id: 'a', tool_calls: [{ index: 0, id: 't', function: { name: 'f' } }] },
      { type: 'delta', id: 'a', content: 'xy' },
      { type: 'done', id: 'a', finish_reason: 'stop', usage: { prompt_tokens: 1, completion_tokens: 10 } },
    ]);
    expect(framesOf(sent, 'b')).toEqual([]); // held until the turn ends
    await tick();
    expect(framesOf(sent, 'b')).toEqual([{ type: 'delta', id: 'b', content: tokens.join('').toUpperCase() }]);
    b.sink.delta({ content: 'next' }); // a later turn: a frame of its own
    await tick();
    expect(framesOf(sent, 'b').map((f) => (f as { content?: string }).content)).toEqual([tokens.join('').toUpperCase(), 'next']);
  });

  it('a stream that sent content less than the window ago holds further deltas until the window ends; the first delta and one after a gap do not wait', async () => {
    const windowMs = 300;
    const { engine, sent, streams } = setup({ deltaWindowMs: windowMs });
    streams.accept(req('a'));
    const run = engine.get('a');
    const contents = () => framesOf(sent, 'a').map((f) => (f as { content?: string }).content);
    run.sink.delta({ content: 'first' });
    await tick();
    expect(contents()).toEqual(['first']); // time to first token: end of the turn
    const sentAt = performance.now();
    run.sink.delta({ content: ' a' });
    await tick();
    run.sink.delta({ content: ' b' });
    await tick();
    expect(contents()).toEqual(['first']); // within the window: held, merged
    await vi.waitFor(() => expect(contents()).toEqual(['first', ' a b']), { timeout: 5 * windowMs, interval: 10 });
    expect(performance.now() - sentAt).toBeGreaterThanOrEqual(windowMs - 2);
    await sleep(windowMs + 50);
    run.sink.delta({ content: ' after a gap' });
    await tick();
    expect(contents()).toEqual(['first', ' a b', ' after a gap']);
    run.sink.delta({ content: '!' });
    run.sink.done('stop', { prompt_tokens: 1, completion_tokens: 5 }); // never waits: sends what is held first
    expect(framesOf(sent, 'a').slice(-2)).toEqual([
      { type: 'delta', id: 'a', content: '!' },
      { type: 'done', id: 'a', finish_reason: 'stop', usage: { prompt_tokens: 1, completion_tokens: 5 } },
    ]);
  });

  it('deltas held in a turn are dropped by a cancel, and kept for resume by a pause, in that turn', async () => {
    const { engine, sent, streams } = setup();
    streams.accept(req('a'));
    streams.accept(req('b'));
    engine.get('a').sink.delta({ content: 'lost' });
    streams.cancel('a');
    engine.get('b').sink.delta({ content: 'kept' });
    streams.pause('b');
    engine.get('b').sink.delta({ content: '!' });
    await tick();
    expect(sent).toEqual([]);
    streams.resume('b');
    expect(sent).toEqual([{ type: 'delta', id: 'b', content: 'kept!' }]);
  });

  it('a paused stream that outgrows its buffer is stopped with client_too_slow', async () => {
    const { engine, sent, streams } = setup({ maxBufferedBytes: 10 });
    streams.accept(req('a'));
    const run = engine.get('a');
    streams.pause('a');
    run.sink.delta({ content: '123456' });
    run.sink.delta({ content: '789012' });
    expect(run.signal.aborted).toBe(true);
    await tick();
    expect(sent).toEqual([expect.objectContaining({ type: 'error', id: 'a', code: 'client_too_slow', retryable: false })]);
    expect(streams.inFlight).toBe(0);
  });

  it('runs at most maxConcurrency at once, queues up to maxQueue, and refuses beyond that (retryable)', async () => {
    const { engine, sent, streams } = setup({ maxConcurrency: 1, maxQueue: 1 });
    streams.accept(req('a'));
    streams.accept(req('b'));
    streams.accept(req('c'));
    expect([...engine.runs.keys()]).toEqual(['a']);
    expect({ inFlight: streams.inFlight, queued: streams.queueDepth }).toEqual({ inFlight: 1, queued: 1 });
    expect(sent).toEqual([expect.objectContaining({ type: 'error', id: 'c', code: 'node_busy', retryable: true })]);
    engine.get('a').sink.done('stop', { prompt_tokens: 0, completion_tokens: 0 });
    engine.get('a').resolve();
    await tick();
    expect([...engine.runs.keys()]).toEqual(['a', 'b']);
  });

  it('drain refuses queued and new requests (retryable) and resolves idle when in-flight ones finish', async () => {
    const { engine, sent, streams } = setup({ maxConcurrency: 1 });
    streams.accept(req('a'));
    streams.accept(req('b'));
    streams.drain();
    streams.accept(req('c'));
    expect(sent.map((f) => [f.type, (f as { id: string }).id, (f as { code?: string }).code])).toEqual([
      ['error', 'b', 'node_draining'],
      ['error', 'c', 'node_draining'],
    ]);
    let idle = false;
    void streams.idle().then(() => (idle = true));
    await tick();
    expect(idle).toBe(false);
    engine.get('a').sink.done('stop', { prompt_tokens: 0, completion_tokens: 0 });
    engine.get('a').resolve();
    await tick();
    expect(idle).toBe(true);
    expect(engine.runs.has('b')).toBe(false);
  });

  it('a lost tunnel aborts every run and sends nothing', async () => {
    const { engine, sent, streams } = setup({ maxConcurrency: 1 });
    streams.accept(req('a'));
    streams.accept(req('b'));
    streams.abortAll('tunnel closed');
    expect(engine.get('a').signal.aborted).toBe(true);
    await tick();
    expect(sent).toEqual([]);
    expect(streams.inFlight + streams.queueDepth).toBe(0);
  });
});
