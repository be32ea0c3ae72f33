import type { Logger } from '../cli/logger.ts';
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

/** What `engines/builtin/index.ts` exports (built separately). */
interface BuiltinModule {
  BuiltinEngine: new (options: { threads: number; log: Logger; maxConcurrency?: number }) => Engine;
}

// SEAM (builtin engine): `engines/builtin/index.ts` is being written beside this file and is not in
// the tree yet. The specifier is a variable so that the type check passes without it; once it lands,
// import it with a literal specifier and use its own option type.
const BUILTIN_MODULE = './builtin/index.ts';

async function createBuiltinEngine(config: AgentConfig, log: Logger): Promise<Engine> {
  let mod: BuiltinModule;
  try {
    mod = (await import(BUILTIN_MODULE)) as BuiltinModule;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    throw new AgentError('not_implemented', 'the builtin engine is not part of this build yet: use PORTEN_ENGINE=openai with an OpenAI-compatible server on this node');
  }
  return new mod.BuiltinEngine({ threads: config.threads, maxConcurrency: config.maxConcurrency, log });
}
