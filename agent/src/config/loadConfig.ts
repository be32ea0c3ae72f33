import { availableParallelism, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createEnvReader, type Env } from '@porten/hub/env';
import { AgentError } from '../errors/index.ts';
import type { AgentConfig, LogLevel, UpstreamModel } from './types.ts';


/** What loadConfig needs to know about the machine (injected by tests). */
export interface MachineDefaults {
  homedir: string;
  cores: number;
}

const CATALOG_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/;

/**
 * read → parse → normalise → validate. Every problem is collected and reported at once, before
 * anything starts, in one AgentError (`config_invalid`). Secrets may come from `<NAME>_FILE`;
 * setting both is an error. Empty values count as unset.
 */
export function loadConfig(env: Env, machine: MachineDefaults = { homedir: homedir(), cores: availableParallelism() }): AgentConfig {
  const problems: string[] = [];

  const { raw, int, oneOf } = createEnvReader(env, problems);

  const path = (name: string, fallback: string): string => {
    const v = raw(name);
    if (v === undefined) return fallback;
    return resolve(v === '~' ? machine.homedir : v.startsWith('~/') ? join(machine.homedir, v.slice(2)) : v);
  };

  const home = path('PORTEN_HOME', join(machine.homedir, '.porten'));
  const engine = oneOf('PORTEN_ENGINE', ['builtin', 'ollama', 'openai'] as const, 'builtin');
  const external = engine !== 'builtin';

  const hubRaw = raw('PORTEN_HUB_URL');
  const hubUrl = hubRaw === undefined ? undefined : httpUrl('PORTEN_HUB_URL', hubRaw, problems);

  let upstreamUrl: string | undefined;
  const upstreamRaw = raw('PORTEN_UPSTREAM_URL');
  if (upstreamRaw !== undefined) {
    const u = httpUrl('PORTEN_UPSTREAM_URL', upstreamRaw, problems);
    // An OpenAI-compatible server is addressed by its API root; a bare host means the usual `/v1`.
    upstreamUrl = u !== undefined && engine === 'openai' && new URL(u).pathname === '/' ? `${u}/v1` : u;
  } else if (engine === 'openai') {
    problems.push('PORTEN_UPSTREAM_URL is required with PORTEN_ENGINE=openai: the OpenAI-compatible server on this node, e.g. http://127.0.0.1:8000/v1');
  } else if (engine === 'ollama') {
    upstreamUrl = 'http://127.0.0.1:11434';
  }

  const upstreamModels = parseUpstreamModels(raw('PORTEN_UPSTREAM_MODELS'), problems);
  if (external && upstreamModels.length === 0 && !problems.some((p) => p.startsWith('PORTEN_UPSTREAM_MODELS'))) {
    problems.push(`PORTEN_UPSTREAM_MODELS is required with PORTEN_ENGINE=${engine}: the catalog ids the upstream serves, e.g. qwen2.5-7b or qwen2.5-7b=Qwen/Qwen2.5-7B-Instruct`);
  }

  const vram = raw('PORTEN_VRAM_BUDGET_MB') === undefined ? undefined : int('PORTEN_VRAM_BUDGET_MB', 0, 1);

  const config: AgentConfig = {
    home,
    hubUrl,
    engine,
    vramBudgetMb: vram,
    upstreamUrl,
    upstreamApiKey: raw('PORTEN_UPSTREAM_API_KEY'),
    upstreamModels,
    upstreamHealthIntervalMs: int('PORTEN_UPSTREAM_HEALTH_INTERVAL_MS', 10_000, 100),
    modelsDir: path('PORTEN_MODELS_DIR', join(home, 'models')),
    threads: int('PORTEN_THREADS', Math.max(1, machine.cores), 1, 1024),
    maxConcurrency: int('PORTEN_MAX_CONCURRENCY', external ? 8 : 1, 1, 1024),
    drainTimeoutMs: int('PORTEN_DRAIN_TIMEOUT_MS', 300_000, 0),
    logLevel: oneOf<LogLevel>('PORTEN_LOG_LEVEL', ['debug', 'info', 'warn', 'error'], 'info'),
  };

  if (problems.length > 0) {
    throw new AgentError('config_invalid', `configuration is invalid:\n  - ${problems.join('\n  - ')}`);
  }
  return config;
}

/** Parses and normalises an http(s) URL (no trailing slash); records a problem and returns undefined when it is not one. */
export function httpUrl(name: string, value: string, problems: string[]): string | undefined {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    problems.push(`${name}=${value} is not a URL: write it like http://127.0.0.1:8080`);
    return undefined;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    problems.push(`${name}=${value} must start with http:// or https://`);
    return undefined;
  }
  if (u.search || u.hash) {
    problems.push(`${name}=${value} must not carry a query or fragment`);
    return undefined;
  }
  return `${u.origin}${u.pathname}`.replace(/\/+$/, '');
}

function parseUpstreamModels(value: string | undefined, problems: string[]): UpstreamModel[] {
  if (value === undefined) return [];
  const out: UpstreamModel[] = [];
  for (const entry of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = entry.indexOf('=');
    const id = (eq < 0 ? entry : entry.slice(0, eq)).trim();
    const upstream = (eq < 0 ? entry : entry.slice(eq + 1)).trim();
    if (!CATALOG_ID.test(id) || upstream === '') {
      problems.push(`PORTEN_UPSTREAM_MODELS entry "${entry}" is not valid: write catalog-id or catalog-id=upstream-name`);
      continue;
    }
    if (out.some((m) => m.id === id)) {
      problems.push(`PORTEN_UPSTREAM_MODELS names ${id} twice`);
      continue;
    }
    out.push({ id, upstream });
  }
  if (out.length === 0 && !problems.some((p) => p.startsWith('PORTEN_UPSTREAM_MODELS'))) {
    problems.push('PORTEN_UPSTREAM_MODELS is set but names no model');
  }
  return out;
}
