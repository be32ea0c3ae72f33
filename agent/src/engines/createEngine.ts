import type { Logger } from '@porten/shared/log';
import type { AgentConfig } from '../config/index.ts';
import type { Engine } from './types.ts';

/**
 * Builds the engine PORTEN_ENGINE names, ready to serve. Each engine's module is imported only
 * here and only when chosen, so `porten run` with an external engine never loads node-llama-cpp.
 * External engines check their upstream once before returning, so the first `hello` advertises
 * what it really serves (nothing, when it is down: the agent still connects and serves once it is up).
 */
export async function createEngine(config: AgentConfig, log: Logger): Promise<Engine> {
  switch (config.engine) {
    case 'openai':
    case 'ollama': {
      const options = {
        baseUrl: config.upstreamUrl!, // loadConfig sets it for external engines (required for openai, defaulted for ollama)
        apiKey: config.upstreamApiKey,
        models: config.upstreamModels,
        healthIntervalMs: config.upstreamHealthIntervalMs,
        log,
      };
      const engine = config.engine === 'openai' ? new (await import('./openai/index.ts')).OpenAIEngine(options) : new (await import('./ollama/index.ts')).OllamaEngine(options);
      await engine.start();
      return engine;
    }
    case 'builtin':
      return createBuiltinEngine(config, log);
  }
}

async function createBuiltinEngine(config: AgentConfig, log: Logger): Promise<Engine> {
  const { BuiltinEngine } = await import('./builtin/index.ts');
  return new BuiltinEngine({ threads: config.threads, maxConcurrency: config.maxConcurrency, log });
}
