import type { EngineKind } from '@porten/shared/protocol';
import { httpUrl } from './httpUrl.ts';
import type { UpstreamModel } from './types.ts';

const CATALOG_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,199}$/;

/** The variables naming an external engine's server and its allow-list. */
const VARIABLES = {
  openai: { url: 'PORTEN_UPSTREAM_URL', models: 'PORTEN_UPSTREAM_MODELS' },
  ollama: { url: 'PORTEN_OLLAMA_URL', models: 'PORTEN_OLLAMA_MODELS' },
} as const;

export const OLLAMA_DEFAULT_URL = 'http://127.0.0.1:11434';

/**
 * Where the external engine's server is and which of its models the node advertises:
 * PORTEN_UPSTREAM_URL / PORTEN_UPSTREAM_MODELS for `openai` (an OpenAI API root; a bare host gets
 * `/v1`), PORTEN_OLLAMA_URL / PORTEN_OLLAMA_MODELS for `ollama` (the daemon's root, default
 * http://127.0.0.1:11434). Both allow-lists read `catalog-id[=upstream-name],…` with the same
 * parser. The other engine's variables set alongside are a mix-up and reported; `builtin` reads none.
 */
export function parseUpstreamSettings(engine: EngineKind, raw: (name: string) => string | undefined, problems: string[]): { upstreamUrl: string | undefined; upstreamModels: UpstreamModel[] } {
  if (engine === 'builtin') return { upstreamUrl: undefined, upstreamModels: [] };
  const own = VARIABLES[engine];
  const otherEngine = engine === 'openai' ? 'ollama' : 'openai';
  const other = VARIABLES[otherEngine];
  if (raw(other.url) !== undefined) problems.push(`${other.url} is for PORTEN_ENGINE=${otherEngine}; with PORTEN_ENGINE=${engine} set ${own.url}`);
  const mixedUpModels = raw(other.models) !== undefined;
  if (mixedUpModels) problems.push(`${other.models} is for PORTEN_ENGINE=${otherEngine}; with PORTEN_ENGINE=${engine} set ${own.models}`);

  const upstreamUrl = engine === 'openai' ? openaiUrl(raw(own.url), problems) : ollamaUrl(raw(own.url), problems);
  const upstreamModels = parseModelList(own.models, raw(own.models), problems);
  if (upstreamModels.length === 0 && !mixedUpModels && !problems.some((p) => p.startsWith(own.models))) {
    problems.push(
      engine === 'openai'
        ? 'PORTEN_UPSTREAM_MODELS is required with PORTEN_ENGINE=openai: the catalog ids the upstream serves, e.g. qwen2.5-7b or qwen2.5-7b=Qwen/Qwen2.5-7B-Instruct'
        : 'PORTEN_OLLAMA_MODELS is required with PORTEN_ENGINE=ollama: the catalog ids to serve and the daemon’s name for each, e.g. llama3.1-8b=llama3.1:8b',
    );
  }
  return { upstreamUrl, upstreamModels };
}

function openaiUrl(value: string | undefined, problems: string[]): string | undefined {
  if (value === undefined) {
    problems.push('PORTEN_UPSTREAM_URL is required with PORTEN_ENGINE=openai: the OpenAI-compatible server on this node, e.g. http://127.0.0.1:8000/v1');
    return undefined;
  }
  const u = httpUrl('PORTEN_UPSTREAM_URL', value, problems);
  // An OpenAI-compatible server is addressed by its API root; a bare host means the usual `/v1`.
  return u !== undefined && new URL(u).pathname === '/' ? `${u}/v1` : u;
}

/** The daemon's root: the engine adds `/api/…`. A URL ending in `/v1` or `/api` is someone else's root (Ollama's OpenAI API, or the API path itself). */
function ollamaUrl(value: string | undefined, problems: string[]): string | undefined {
  if (value === undefined) return OLLAMA_DEFAULT_URL;
  const u = httpUrl('PORTEN_OLLAMA_URL', value, problems);
  if (u === undefined) return undefined;
  if (/\/(v1|api)$/.test(u)) {
    problems.push(`PORTEN_OLLAMA_URL=${value} must be the Ollama daemon's root, e.g. ${OLLAMA_DEFAULT_URL}: the engine adds /api/… itself (for Ollama's OpenAI-compatible /v1 API use PORTEN_ENGINE=openai)`);
    return undefined;
  }
  return u;
}

/** `catalog-id[=upstream-name],…`: the catalog id the hub routes by, and the name the upstream knows the model by (the id when omitted). */
function parseModelList(name: string, value: string | undefined, problems: string[]): UpstreamModel[] {
  if (value === undefined) return [];
  const out: UpstreamModel[] = [];
  for (const entry of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = entry.indexOf('=');
    const id = (eq < 0 ? entry : entry.slice(0, eq)).trim();
    const upstream = (eq < 0 ? entry : entry.slice(eq + 1)).trim();
    if (!CATALOG_ID.test(id) || upstream === '') {
      problems.push(`${name} entry "${entry}" is not valid: write catalog-id or catalog-id=upstream-name`);
      continue;
    }
    if (out.some((m) => m.id === id)) {
      problems.push(`${name} names ${id} twice`);
      continue;
    }
    out.push({ id, upstream });
  }
  if (out.length === 0 && !problems.some((p) => p.startsWith(name))) problems.push(`${name} is set but names no model`);
  return out;
}
