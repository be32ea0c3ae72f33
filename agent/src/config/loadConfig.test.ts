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

  it('ollama: PORTEN_OLLAMA_URL defaults to the local daemon, PORTEN_OLLAMA_MODELS is parsed like PORTEN_UPSTREAM_MODELS', () => {
    expect(load({ PORTEN_ENGINE: 'ollama', PORTEN_OLLAMA_MODELS: 'llama3' })).toMatchObject({
      engine: 'ollama',
      upstreamUrl: 'http://127.0.0.1:11434',
      upstreamModels: [{ id: 'llama3', upstream: 'llama3' }],
      maxConcurrency: 8,
    });
    const c = load({ PORTEN_ENGINE: 'ollama', PORTEN_OLLAMA_URL: 'http://gpu-box:11434/', PORTEN_OLLAMA_MODELS: ' llama3.1-8b=llama3.1:8b , qwen2.5-7b=qwen2.5:7b-instruct-q4_K_M ' });
    expect(c.upstreamUrl).toBe('http://gpu-box:11434');
    expect(c.upstreamModels).toEqual([
      { id: 'llama3.1-8b', upstream: 'llama3.1:8b' },
      { id: 'qwen2.5-7b', upstream: 'qwen2.5:7b-instruct-q4_K_M' },
    ]);
    // A reverse proxy may put the daemon under a path of its own.
    expect(load({ PORTEN_ENGINE: 'ollama', PORTEN_OLLAMA_URL: 'https://proxy.lan/ollama', PORTEN_OLLAMA_MODELS: 'm' }).upstreamUrl).toBe('https://proxy.lan/ollama');
  });

  it('ollama: every problem with its settings is reported at once, in these words', () => {
    expect(problemsOf({ PORTEN_ENGINE: 'ollama' })).toBe(
      'configuration is invalid:\n  - PORTEN_OLLAMA_MODELS is required with PORTEN_ENGINE=ollama: the catalog ids to serve and the daemon’s name for each, e.g. llama3.1-8b=llama3.1:8b',
    );
    expect(problemsOf({ PORTEN_ENGINE: 'ollama', PORTEN_OLLAMA_URL: 'http://127.0.0.1:11434/v1', PORTEN_OLLAMA_MODELS: 'a,=b,a' })).toBe(
      [
        'configuration is invalid:',
        '  - PORTEN_OLLAMA_URL=http://127.0.0.1:11434/v1 must be the Ollama daemon\'s root, e.g. http://127.0.0.1:11434: the engine adds /api/… itself (for Ollama\'s OpenAI-compatible /v1 API use PORTEN_ENGINE=openai)',
        '  - PORTEN_OLLAMA_MODELS entry "=b" is not valid: write catalog-id or catalog-id=upstream-name',
        '  - PORTEN_OLLAMA_MODELS names a twice',
      ].join('\n'),
    );
    expect(problemsOf({ PORTEN_ENGINE: 'ollama', PORTEN_OLLAMA_URL: 'unix:///run/ollama.sock', PORTEN_OLLAMA_MODELS: ' , ' })).toBe(
      ['configuration is invalid:', '  - PORTEN_OLLAMA_URL=unix:///run/ollama.sock must start with http:// or https://', '  - PORTEN_OLLAMA_MODELS is set but names no model'].join('\n'),
    );
  });

  it('the other external engine’s variables are a mix-up, reported with the right name; builtin reads neither', () => {
    expect(problemsOf({ PORTEN_ENGINE: 'ollama', PORTEN_UPSTREAM_URL: 'http://127.0.0.1:11434', PORTEN_UPSTREAM_MODELS: 'llama3' })).toBe(
      [
        'configuration is invalid:',
        '  - PORTEN_UPSTREAM_URL is for PORTEN_ENGINE=openai; with PORTEN_ENGINE=ollama set PORTEN_OLLAMA_URL',
        '  - PORTEN_UPSTREAM_MODELS is for PORTEN_ENGINE=openai; with PORTEN_ENGINE=ollama set PORTEN_OLLAMA_MODELS',
      ].join('\n'),
    );
    expect(problemsOf({ PORTEN_ENGINE: 'openai', PORTEN_UPSTREAM_URL: 'http://h', PORTEN_UPSTREAM_MODELS: 'm', PORTEN_OLLAMA_MODELS: 'm' })).toBe(
      'configuration is invalid:\n  - PORTEN_OLLAMA_MODELS is for PORTEN_ENGINE=ollama; with PORTEN_ENGINE=openai set PORTEN_UPSTREAM_MODELS',
    );
    expect(load({ PORTEN_OLLAMA_URL: 'http://h', PORTEN_UPSTREAM_MODELS: 'm' })).toMatchObject({ engine: 'builtin', upstreamUrl: undefined, upstreamModels: [] });
  });
});
