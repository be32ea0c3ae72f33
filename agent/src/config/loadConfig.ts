import { availableParallelism, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { createEnvReader, type Env } from '@porten/shared/env';
import { AgentError } from '../errors/index.ts';
import { httpUrl } from './httpUrl.ts';
import type { AgentConfig, LogLevel } from './types.ts';
import { parseUpstreamSettings } from './upstreamSettings.ts';

/** What loadConfig needs to know about the machine (injected by tests). */
export interface MachineDefaults {
  homedir: string;
  cores: number;
}

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
  const { upstreamUrl, upstreamModels } = parseUpstreamSettings(engine, raw, problems);

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
