import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAgentError } from '../errors/index.ts';
import { loadConfig } from './loadConfig.ts';

const machine = { homedir: '/home/op', cores: 6 };
const load = (env: Record<string, string>) => loadConfig(env, machine);
const problemsOf = (env: Record<string, string>): string => {
  try {
    load(env);
  } catch (err) {
    if (isAgentError(err, 'config_invalid')) return err.message;
    throw err;
  }
  throw new Error('expected the configuration to be rejected');
};

describe('agent configuration', () => {
  it('has documented defaults: ~/.porten, builtin engine, threads = cores, models under the home', () => {
    expect(load({})).toEqual({
      home: '/home/op/.porten',
      hubUrl: undefined,
      engine: 'builtin',
      vramBudgetMb: undefined,
      upstreamUrl: undefined,
      upstreamApiKey: undefined,
      upstreamModels: [],
      upstreamHealthIntervalMs: 10_000,
      modelsDir: '/home/op/.porten/models',
      threads: 6,
      maxConcurrency: 1,
      drainTimeoutMs: 300_000,
      logLevel: 'info',
    });
  });

  it('normalises paths and URLs: ~ expanded, trailing slashes dropped, a bare upstream host gets /v1', () => {
    const c = load({
      PORTEN_HOME: '~/agent',
      PORTEN_HUB_URL: 'https://hub.example:8443/',
      PORTEN_ENGINE: 'openai',
      PORTEN_UPSTREAM_URL: 'http://127.0.0.1:8000',
      PORTEN_UPSTREAM_MODELS: ' qwen2.5-7b=Qwen/Qwen2.5-7B-Instruct , llama3.1-8b ',
      PORTEN_VRAM_BUDGET_MB: '24000',
    });
    expect(c).toMatchObject({
      home: '/home/op/agent',
      modelsDir: '/home/op/agent/models',
      hubUrl: 'https://hub.example:8443',
      upstreamUrl: 'http://127.0.0.1:8000/v1',
      vramBudgetMb: 24000,
      maxConcurrency: 8,
      upstreamModels: [
        { id: 'qwen2.5-7b', upstream: 'Qwen/Qwen2.5-7B-Instruct' },
        { id: 'llama3.1-8b', upstream: 'llama3.1-8b' },
      ],
    });
    expect(load({ PORTEN_ENGINE: 'openai', PORTEN_UPSTREAM_URL: 'http://h:1/api/v1/', PORTEN_UPSTREAM_MODELS: 'm' }).upstreamUrl).toBe('http://h:1/api/v1');
  });

  it('reports every problem at once', () => {
    const msg = problemsOf({
      PORTEN_ENGINE: 'openai',
      PORTEN_HUB_URL: 'ftp://hub',
      PORTEN_THREADS: '0',
      PORTEN_VRAM_BUDGET_MB: 'lots',
      PORTEN_LOG_LEVEL: 'loud',
    });
    expect(msg).toContain('PORTEN_UPSTREAM_URL is required with PORTEN_ENGINE=openai');
    expect(msg).toContain('PORTEN_UPSTREAM_MODELS is required with PORTEN_ENGINE=openai');
    expect(msg).toContain('PORTEN_HUB_URL=ftp://hub must start with http:// or https://');
    expect(msg).toContain('PORTEN_THREADS=0 is not a whole number');
    expect(msg).toContain('PORTEN_VRAM_BUDGET_MB=lots');
    expect(msg).toContain('PORTEN_LOG_LEVEL=loud must be one of debug, info, warn, error');
  });

  it('rejects an unknown engine and malformed model lists', () => {
    expect(problemsOf({ PORTEN_ENGINE: 'vllm' })).toContain('PORTEN_ENGINE=vllm must be one of builtin, ollama, openai');
    expect(problemsOf({ PORTEN_ENGINE: 'openai', PORTEN_UPSTREAM_URL: 'http://h', PORTEN_UPSTREAM_MODELS: 'a,=b,a' })).toMatch(/entry "=b" is not valid[\s\S]*names a twice/);
  });

  it('reads the upstream API key from a file, and refuses both forms at once', () => {
    const dir = mkdtempSync(join(tmpdir(), 'porten-config-'));
    const file = join(dir, 'key');
    writeFileSync(file, 'sk-upstream\n');
    const base = { PORTEN_ENGINE: 'openai', PORTEN_UPSTREAM_URL: 'http://h', PORTEN_UPSTREAM_MODELS: 'm' };
    expect(load({ ...base, PORTEN_UPSTREAM_API_KEY_FILE: file }).upstreamApiKey).toBe('sk-upstream');
    expect(problemsOf({ ...base, PORTEN_UPSTREAM_API_KEY_FILE: file, PORTEN_UPSTREAM_API_KEY: 'x' })).toContain('PORTEN_UPSTREAM_API_KEY and PORTEN_UPSTREAM_API_KEY_FILE are both set');
    expect(problemsOf({ ...base, PORTEN_UPSTREAM_API_KEY_FILE: join(dir, 'missing') })).toContain('cannot be read');
  });

  it('gives ollama its usual local daemon address', () => {
    expect(load({ PORTEN_ENGINE: 'ollama', PORTEN_UPSTREAM_MODELS: 'llama3' }).upstreamUrl).toBe('http://127.0.0.1:11434');
  });
});
