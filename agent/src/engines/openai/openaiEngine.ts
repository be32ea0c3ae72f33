import { ExternalEngine, type ExternalEngineOptions } from '../upstream/index.ts';
import { openaiDialect } from './openaiDialect.ts';

export type OpenAIEngineOptions = ExternalEngineOptions;

/**
 * An OpenAI-compatible server on the node (vLLM, llama.cpp server, exo, Ollama's `/v1`, another
 * Porten hub …) as the engine (PORTEN_ENGINE=openai): the shared external engine speaking the
 * OpenAI dialect.
 */
export class OpenAIEngine extends ExternalEngine {
  constructor(opts: OpenAIEngineOptions) {
    super(openaiDialect, opts);
  }
}
