import type { Logger } from '@porten/hub/log';
import type { AgentConfig } from '../config/index.ts';
import { AgentError } from '../errors/index.ts';
import type { Engine } from './types.ts';

/**
 * Builds the engine PORTEN_ENGINE names, ready to serve. Each engine's module is imported only
 * here and only when chosen, so `porten run` with an external engine never loads node-llama-cpp.
 */
export async function createEngine(config: AgentConfig, log: Logger): Promise<Engine> {
  switch (config.engine) {
    case 'openai': {
      const { OpenAIEngine } = await import('./openai/index.ts');
      const engine = new OpenAIEngine({
        baseUrl: config.upstreamUrl!, // loadConfig requires it for openai
        apiKey: config.upstreamApiKey,
        models: config.upstreamModels,
        healthIntervalMs: config.upstreamHealthIntervalMs,
        log,
      });
      await engine.start();
      return engine;
    }
    case 'ollama':
      throw new AgentError(
        'not_implemented',
        `PORTEN_ENGINE=ollama is not implemented yet; Ollama also speaks the OpenAI API: use PORTEN_ENGINE=openai PORTEN_UPSTREAM_URL=${config.upstreamUrl ?? 'http://127.0.0.1:11434'}/v1`,
      );
    case 'builtin':
      return createBuiltinEngine(config, log);
  }
}

async function createBuiltinEngine(config: AgentConfig, log: Logger): Promise<Engine> {
  const { BuiltinEngine } = await import('./builtin/index.ts');
  return new BuiltinEngine({ threads: config.threads, maxConcurrency: config.maxConcurrency, log });
}
