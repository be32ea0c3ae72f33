import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeMessage, RequestMessage } from '@porten/shared/protocol';
import { silentLogger } from '@porten/shared/log';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuiltinEngine } from '../engines/builtin/index.ts';
import { writeTinyLlama } from '../gguf/index.ts';
import { RequestStreams } from './requestStreams.ts';

/**
 * The agent checks request shape limits itself, whatever its hub let through: a `response_format`
 * schema ~3,000 levels deep once reached the builtin engine and killed its llama.cpp child process
 * (its IPC decoder ran out of stack). Real llama.cpp, real child process, generated model.
 */
describe('request shape limits on the node', { timeout: 60_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'porten-limits-'));
  let engine: BuiltinEngine;
  let streams: RequestStreams;
  const sent: NodeMessage[] = [];

  beforeAll(async () => {
    engine = new BuiltinEngine({ threads: 1, log: silentLogger });
    await engine.load({ id: 'tiny', ...(await writeTinyLlama(join(dir, 'tiny.gguf'), { seed: 3 })) });
    streams = new RequestStreams({ engine, send: (f) => sent.push(f), maxConcurrency: 1, maxQueue: 4, log: silentLogger });
  });
  afterAll(async () => {
    await engine?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const chat = (id: string, params: Record<string, unknown>): RequestMessage => ({
    type: 'request',
    id,
    kind: 'chat',
    model: 'tiny',
    params: { messages: [{ role: 'user', content: 'hi' }], max_tokens: 3, temperature: 0, ...params },
  });
  const ended = (id: string) => sent.find((f) => 'id' in f && f.id === id && (f.type === 'done' || f.type === 'error'));
  const until = async (cond: () => unknown) => {
    for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 20));
  };

  it('refuses a 3,000-level schema as invalid_request without touching the engine, then serves the next request in the same child', async () => {
    const pid = engine.processId;
    let schema: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 1500; i++) schema = { type: 'object', properties: { p: schema } };
    streams.accept(chat('deep', { response_format: { type: 'json_schema', json_schema: { name: 'deep', schema } } }));
    expect(ended('deep')).toEqual({ type: 'error', id: 'deep', code: 'invalid_request', message: expect.stringMatching(/deeper than 64 levels; flatten it \(param response_format\.json_schema\.schema/), retryable: false });

    let items: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 40; i++) items = { type: 'array', items };
    const toolSchema = { type: 'function', function: { name: 'f', parameters: { type: 'object', properties: { a: items } } } };
    streams.accept(chat('tool', { tools: [toolSchema] }));
    expect(ended('tool')).toMatchObject({ type: 'error', code: 'invalid_request', retryable: false, message: expect.stringContaining('tools[0].function.parameters') });

    streams.accept(chat('fine', {}));
    await until(() => ended('fine'));
    expect(ended('fine')).toMatchObject({ type: 'done', finish_reason: 'length', usage: { completion_tokens: 3 } });
    expect(engine.processId).toBe(pid);
  });
});
