import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FinishReason, RequestMessage, Usage } from '@porten/shared/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '@porten/shared/log';
import { AgentError, isAgentError } from '../../errors/index.ts';
import { writeTinyLlama } from '../../gguf/index.ts';
import type { EngineSink, LocalModel } from '../types.ts';
import { BuiltinEngine } from './index.ts';

// Real llama.cpp in a real child process, on a generated model (random weights: the text means
// nothing, but tokenising, templating, sampling and streaming are llama.cpp's own).

interface Collected {
  sink: EngineSink;
  deltas: string[];
  embeddings: number[][] | undefined;
  finish: FinishReason | undefined;
  usage: Usage | undefined;
  text(): string;
  firstDelta: Promise<void>;
}

function collect(): Collected {
  let sawFirst!: () => void;
  const c: Collected = {
    deltas: [],
    embeddings: undefined,
    finish: undefined,
    usage: undefined,
    text: () => c.deltas.join(''),
    firstDelta: new Promise((r) => (sawFirst = r)),
    sink: {
      delta: (part) => {
        c.deltas.push(part.content ?? '');
        sawFirst();
      },
      result: (e) => (c.embeddings = e),
      done: (finish, usage) => {
        c.finish = finish;
        c.usage = usage;
      },
    },
  };
  return c;
}

const chat = (params: Partial<Extract<RequestMessage, { kind: 'chat' }>['params']>, model = 'tiny'): RequestMessage => ({
  type: 'request',
  id: crypto.randomUUID(),
  kind: 'chat',
  model,
  params: { messages: [{ role: 'user', content: 'hi' }], ...params },
});
const completion = (prompt: string, params: Partial<Extract<RequestMessage, { kind: 'completion' }>['params']> = {}): RequestMessage => ({
  type: 'request',
  id: crypto.randomUUID(),
  kind: 'completion',
  model: 'tiny',
  params: { prompt, ...params },
});

async function run(engine: BuiltinEngine, request: RequestMessage, signal = new AbortController().signal): Promise<Collected> {
  const c = collect();
  await engine.run(request, c.sink, signal);
  return c;
}

async function rejection(p: Promise<unknown>): Promise<AgentError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof AgentError)) throw new Error(`expected an AgentError, got ${String(err)}`);
  return err;
}

const dir = mkdtempSync(join(tmpdir(), 'porten-builtin-'));
let engine: BuiltinEngine;
let tiny: LocalModel;

beforeAll(async () => {
  tiny = { id: 'tiny', ...(await writeTinyLlama(join(dir, 'tiny.gguf'), { seed: 1 })) };
  // One thread: the test runner runs other files beside this one, and llama.cpp's threads spin on
  // barriers — with every core busy, threads = cores drops the tiny model from ~1000 to ~30 tokens/s.
  engine = new BuiltinEngine({ threads: 1, log: silentLogger });
  await engine.load(tiny);
});

afterAll(async () => {
  await engine?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('builtin engine (llama.cpp in a child process)', () => {
  it('loads a generated GGUF and advertises chat, completions and embeddings', () => {
    expect(engine.loadedModels()).toEqual(['tiny']);
    expect(engine.capabilities()).toEqual(['chat', 'completions', 'embeddings']);
    expect(engine.processId).toBeGreaterThan(0);
    expect(engine.processId).not.toBe(process.pid);
  });

  it('streams a chat completion through the chat template; max_tokens 5 ends with length after exactly 5 tokens', async () => {
    const c = await run(engine, chat({ max_tokens: 5, temperature: 0 }));
    expect(c.finish).toBe('length');
    // The ChatML wrapper renders BOS + "<|im_start|>" "user\nhi" "<|im_end|>" "\n" "<|im_start|>" "assistant\n":
    // specials are one token each and every byte is one token in the byte-level vocabulary.
    expect(c.usage).toEqual({ prompt_tokens: 1 + 1 + 7 + 1 + 1 + 1 + 10, completion_tokens: 5 });
    // The tiny model writes printable ASCII, one byte per token; tokens produced within a few ms of
    // each other reach the parent merged (textWindow.ts), the first one alone.
    expect(c.deltas.length).toBeGreaterThanOrEqual(1);
    expect(c.deltas.length).toBeLessThanOrEqual(5);
    expect(c.text()).toMatch(/^[\x20-\x7e\n]{5}$/);
  });

  it('is reproducible: temperature 0 twice, and the same seed at temperature 0.9 twice', async () => {
    const greedy = [await run(engine, chat({ max_tokens: 12, temperature: 0 })), await run(engine, chat({ max_tokens: 12, temperature: 0 }))];
    expect(greedy[1]!.text()).toBe(greedy[0]!.text());
    const seeded = [await run(engine, chat({ max_tokens: 12, temperature: 0.9, seed: 7 })), await run(engine, chat({ max_tokens: 12, temperature: 0.9, seed: 7 }))];
    expect(seeded[1]!.text()).toBe(seeded[0]!.text());
    expect(seeded[0]!.text()).toHaveLength(12);
  });

  it('continues raw text for a completion request, counting each prompt byte as a token', async () => {
    const c = await run(engine, completion('Once upon a time', { max_tokens: 8, temperature: 0 }));
    expect(c.usage).toEqual({ prompt_tokens: 16, completion_tokens: 8 });
    expect(c.finish).toBe('length');
    expect(c.text()).toHaveLength(8);
  });

  it('ends with stop at a stop sequence and never streams the sequence itself', async () => {
    const free = await run(engine, completion('abc', { max_tokens: 24, temperature: 0 }));
    const text = free.text();
    const stop = text.slice(10, 12);
    const before = text.slice(0, text.indexOf(stop));
    const c = await run(engine, completion('abc', { max_tokens: 24, temperature: 0, stop: [stop] }));
    expect(c.finish).toBe('stop');
    expect(c.text()).toBe(before);
    expect(c.usage!.completion_tokens).toBe(before.length + stop.length);
  });

  it('returns one embedding vector per input', async () => {
    const c = await run(engine, { type: 'request', id: 'e1', kind: 'embedding', model: 'tiny', params: { input: ['hello', 'another text'] } });
    expect(c.embeddings).toHaveLength(2);
    expect(c.embeddings![0]).toHaveLength(128);
    expect(c.embeddings![0]).not.toEqual(c.embeddings![1]);
    expect(c.usage).toEqual({ prompt_tokens: 5 + 12, completion_tokens: 0 });
  });

  it('stops generating promptly when the request is cancelled, then serves the next request', async () => {
    const ac = new AbortController();
    const c = collect();
    const running = engine.run(chat({ temperature: 0 }), c.sink, ac.signal);
    await c.firstDelta;
    ac.abort();
    const startedCancel = performance.now();
    const err = await rejection(running);
    expect(err.code).toBe('cancelled');
    expect(performance.now() - startedCancel).toBeLessThan(2_000);
    expect(c.finish).toBeUndefined();
    const after = await run(engine, chat({ max_tokens: 3, temperature: 0 }));
    expect(after.usage!.completion_tokens).toBe(3);
  });

  it('refuses a request for a model it has not loaded, and an unloaded model, as model_not_served', async () => {
    const other = { id: 'other', ...(await writeTinyLlama(join(dir, 'other.gguf'), { seed: 2 })) };
    await engine.load(other);
    expect(engine.loadedModels()).toEqual(['tiny', 'other']);
    expect((await run(engine, chat({ max_tokens: 2 }, 'other'))).usage!.completion_tokens).toBe(2);
    await engine.unload('other');
    expect(engine.loadedModels()).toEqual(['tiny']);
    const err = await rejection(run(engine, chat({ max_tokens: 2 }, 'other')));
    expect(err.code).toBe('model_not_served');
    expect(err.retryable).toBe(true);
  });

  it('refuses response_format json_object (not implemented) and non-text message parts as invalid_request', async () => {
    const json = await rejection(run(engine, chat({ response_format: { type: 'json_object' } })));
    expect(json.code).toBe('invalid_request');
    expect(json.message).toMatch(/response_format "json_object"/);
    const image = await rejection(run(engine, chat({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] })));
    expect(image.code).toBe('invalid_request');
    expect(image.message).toMatch(/messages\[0\]\.content\[0\]/);
  });

  it('refuses a prompt longer than the context as invalid_request', async () => {
    const err = await rejection(run(engine, completion('x'.repeat(5000))));
    expect(err.code).toBe('invalid_request');
    expect(err.message).toMatch(/the prompt is 5000 tokens/);
  });
});

// Each of these starts a new child (node-llama-cpp's import and binary self-test take seconds on a busy machine).
describe('builtin engine isolation: what breaks llama.cpp breaks only the child', { timeout: 60_000 }, () => {
  it('refuses a GGUF without llama.attention.head_count (which would abort llama.cpp) with a message naming the key', async () => {
    const bad = { id: 'no-heads', ...(await writeTinyLlama(join(dir, 'no-heads.gguf'), { metadataOverrides: { 'llama.attention.head_count': null } })) };
    const pid = engine.processId;
    const err = await rejection(engine.load(bad));
    expect(err.code).toBe('load_failed');
    expect(err.message).toMatch(/lacks llama\.attention\.head_count/);
    expect(engine.processId).toBe(pid);
    expect(engine.loadedModels()).toEqual(['tiny']);
  });

  it('reports a truncated GGUF as load_failed with llama.cpp’s reason', async () => {
    const path = join(dir, 'truncated.gguf');
    writeFileSync(path, readFileSync(tiny.path).subarray(0, 100_000));
    const err = await rejection(engine.load({ ...tiny, id: 'truncated', path }));
    expect(err.code).toBe('load_failed');
    expect(err.message).toMatch(/not within the file bounds/);
    expect((await run(engine, chat({ max_tokens: 2 }))).usage!.completion_tokens).toBe(2);
  });

  it('survives a GGUF that aborts llama.cpp while loading: the load fails, the next request runs in a new child with the good model', async () => {
    const crasher = { id: 'crasher', ...(await writeTinyLlama(join(dir, 'kv0.gguf'), { metadataOverrides: { 'llama.attention.head_count_kv': { type: 'u32', value: 0 } } })) };
    const pid = engine.processId;
    const err = await rejection(engine.load(crasher));
    expect(err.code).toBe('load_failed');
    expect(err.message).toMatch(/crashed llama\.cpp.*GGML_ASSERT/);
    expect(engine.loadedModels()).toEqual(['tiny']);
    const c = await run(engine, chat({ max_tokens: 4, temperature: 0 }));
    expect(c.usage!.completion_tokens).toBe(4);
    expect(engine.processId).not.toBe(pid);
  });

  it('fails the request in flight when the child is killed (retryable while nothing was streamed), and serves the next one', async () => {
    // Killed mid-stream: output already reached the client, so no other node may retry.
    const c = collect();
    const streaming = engine.run(chat({ temperature: 0 }), c.sink, new AbortController().signal);
    await c.firstDelta;
    process.kill(engine.processId!, 'SIGKILL');
    const midStream = await rejection(streaming);
    expect(midStream.code).toBe('engine_exited');
    expect(midStream.message).toMatch(/engine process exited \(signal SIGKILL\)/);
    expect(midStream.retryable).toBe(false);

    // Killed before it produced anything: another node may serve it.
    await run(engine, chat({ max_tokens: 1 })); // a live child again
    const early = engine.run(chat({ max_tokens: 50 }), collect().sink, new AbortController().signal);
    process.kill(engine.processId!, 'SIGKILL');
    const beforeOutput = await rejection(early);
    expect(isAgentError(beforeOutput, 'engine_exited')).toBe(true);
    expect(beforeOutput.retryable).toBe(true);

    const next = await run(engine, chat({ max_tokens: 5, temperature: 0 }));
    expect(next.finish).toBe('length');
    expect(next.usage!.completion_tokens).toBe(5);
  });
});
