import type { EngineKind } from '@porten/shared/protocol';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One entry of PORTEN_UPSTREAM_MODELS: the catalog id the hub routes by, and the name the upstream knows it by. */
export interface UpstreamModel {
  id: string;
  upstream: string;
}

/**
 * The agent's validated configuration. Built once by `loadConfig` from the environment that
 * `agent/src/main.ts` hands it; nothing else reads the environment.
 */
export interface AgentConfig {
  /** PORTEN_HOME, default `~/.porten`: credential, run state and (by default) models live here. Absolute. */
  home: string;
  /** PORTEN_HUB_URL, default: the hub the stored credential was issued by. No trailing slash. */
  hubUrl: string | undefined;
  /** PORTEN_ENGINE, `builtin` (default) | `ollama` | `openai`. */
  engine: EngineKind;
  /** PORTEN_VRAM_BUDGET_MB, default: detected by `system/detectVramBudget` (GPU memory from `nvidia-smi`, else 75% of RAM). */
  vramBudgetMb: number | undefined;
  /**
   * The external engine's server, no trailing slash. `openai`: PORTEN_UPSTREAM_URL, the
   * OpenAI-compatible API root (required; a URL without a path gets `/v1`, e.g.
   * `http://127.0.0.1:8000` → `http://127.0.0.1:8000/v1`). `ollama`: PORTEN_OLLAMA_URL, the Ollama
   * daemon's root (default `http://127.0.0.1:11434`; the engine adds `/api/…`). `builtin`: undefined.
   */
  upstreamUrl: string | undefined;
  /** PORTEN_UPSTREAM_API_KEY (or _FILE): sent as `Authorization: Bearer` to the upstream (for `ollama`: to an authenticating proxy in front of the daemon). Optional. */
  upstreamApiKey: string | undefined;
  /**
   * The external engine's allow-list, comma-separated catalog ids it may advertise, `id=name` when
   * the server calls the model differently (required for `openai` and `ollama`):
   * PORTEN_UPSTREAM_MODELS for `openai`, e.g. `qwen2.5-7b=Qwen/Qwen2.5-7B-Instruct,llama3.1-8b`;
   * PORTEN_OLLAMA_MODELS for `ollama`, e.g. `llama3.1-8b=llama3.1:8b` (`name` without a tag is `name:latest`).
   */
  upstreamModels: UpstreamModel[];
  /** PORTEN_UPSTREAM_HEALTH_INTERVAL_MS, default 10000: how often the upstream's model list (`GET /models`, Ollama's `GET /api/tags`) is checked. */
  upstreamHealthIntervalMs: number;
  /** PORTEN_MODELS_DIR, default `$PORTEN_HOME/models`: the content-addressed model store. Absolute. */
  modelsDir: string;
  /** PORTEN_THREADS, default: the machine's cores (available parallelism). Builtin engine threads. */
  threads: number;
  /** PORTEN_MAX_CONCURRENCY, default 1 for `builtin`, 8 otherwise: requests run at once; more wait in a queue of 4× this. */
  maxConcurrency: number;
  /** PORTEN_DRAIN_TIMEOUT_MS, default 300000 (0 = no limit): on SIGTERM, how long in-flight requests may take to finish. */
  drainTimeoutMs: number;
  /** PORTEN_LOG_LEVEL, `debug` | `info` (default) | `warn` | `error`. */
  logLevel: LogLevel;
}

/** The PORTEN_* variables the agent understands (also what `porten service install` bakes into the unit). */
export const CONFIG_VARIABLES = [
  'PORTEN_HOME',
  'PORTEN_HUB_URL',
  'PORTEN_ENGINE',
  'PORTEN_VRAM_BUDGET_MB',
  'PORTEN_UPSTREAM_URL',
  'PORTEN_UPSTREAM_API_KEY',
  'PORTEN_UPSTREAM_API_KEY_FILE',
  'PORTEN_UPSTREAM_MODELS',
  'PORTEN_UPSTREAM_HEALTH_INTERVAL_MS',
  'PORTEN_OLLAMA_URL',
  'PORTEN_OLLAMA_MODELS',
  'PORTEN_MODELS_DIR',
  'PORTEN_THREADS',
  'PORTEN_MAX_CONCURRENCY',
  'PORTEN_DRAIN_TIMEOUT_MS',
  'PORTEN_LOG_LEVEL',
] as const;
