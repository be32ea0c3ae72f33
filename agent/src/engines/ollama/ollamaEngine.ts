import { ExternalEngine, type ExternalEngineOptions } from '../upstream/index.ts';
import { ollamaDialect } from './ollamaDialect.ts';

export type OllamaEngineOptions = ExternalEngineOptions;

/**
 * An Ollama daemon on the node as the engine (PORTEN_ENGINE=ollama), over its native API: the
 * shared external engine speaking the Ollama dialect. `baseUrl` is the daemon's root
 * (PORTEN_OLLAMA_URL, default `http://127.0.0.1:11434`); only PORTEN_OLLAMA_MODELS entries that
 * `GET /api/tags` lists are advertised.
 */
export class OllamaEngine extends ExternalEngine {
  constructor(opts: OllamaEngineOptions) {
    super(ollamaDialect, opts);
  }
}
