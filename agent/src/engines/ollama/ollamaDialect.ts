import { readNdjson, type UpstreamDialect } from '../upstream/index.ts';
import { ollamaRequest } from './ollamaRequest.ts';
import { ollamaDecoder } from './ollamaStream.ts';

/** Ollama's native HTTP API (docs/api.md in the Ollama repository): `/api/tags`, `/api/chat`, `/api/generate`, `/api/embed`, NDJSON streams. */
export const ollamaDialect: UpstreamDialect = {
  kind: 'ollama',
  texts: {
    label: 'the Ollama daemon',
    modelsVariable: 'PORTEN_OLLAMA_MODELS',
    unreachableHint: 'start it (`ollama serve`, or `systemctl start ollama`) or set PORTEN_OLLAMA_URL to the address it listens on',
    missingHint: '`ollama pull <name>` adds a model to the daemon',
  },
  modelsPath: '/api/tags',
  listedModels: ollamaModelNames,
  canonicalName: canonicalOllamaName,
  request: ollamaRequest,
  events: readNdjson,
  decoder: ollamaDecoder,
  embeddings(body) {
    const b = body as { embeddings?: unknown; prompt_eval_count?: unknown } | null;
    return { vectors: b?.embeddings, promptTokens: b?.prompt_eval_count };
  },
};

/** The names in `GET /api/tags` (`{models: [{name, model, …}]}`); throws when there is no list. */
export function ollamaModelNames(body: unknown): string[] {
  const models = (body as { models?: unknown } | null)?.models;
  if (!Array.isArray(models)) throw new Error('GET /api/tags did not return a `models` list');
  return models.flatMap((m) => {
    const { name, model } = (m ?? {}) as { name?: unknown; model?: unknown };
    return [name, model].filter((n): n is string => typeof n === 'string' && n !== '');
  });
}

/** Ollama names are `model:tag` with `latest` when no tag is written: `llama3` and `llama3:latest` are one model (a `:` in a registry host is not a tag). */
export function canonicalOllamaName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1).includes(':') ? name : `${name}:latest`;
}
