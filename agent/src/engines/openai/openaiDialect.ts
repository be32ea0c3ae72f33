import type { ChatParams, CompletionParams, EmbeddingParams, FinishReason, RequestMessage, ToolCallDelta } from '@porten/shared/protocol';
import { readSse, tokenCount, type StreamStep, type UpstreamDialect } from '../upstream/index.ts';

/** The OpenAI API (vLLM, llama.cpp server, exo, another Porten hub …): hub requests pass through nearly as they are. */
export const openaiDialect: UpstreamDialect = {
  kind: 'openai',
  texts: {
    label: 'the upstream',
    modelsVariable: 'PORTEN_UPSTREAM_MODELS',
    unreachableHint: 'check that it is running and that PORTEN_UPSTREAM_URL points at it',
    missingHint: 'check the names in PORTEN_UPSTREAM_MODELS against its GET /models',
  },
  modelsPath: '/models',
  listedModels(body) {
    const data = (body as { data?: unknown } | null)?.data;
    if (!Array.isArray(data)) throw new Error('GET /models did not return a `data` list');
    return data.map((m) => (m as { id?: unknown } | null)?.id).filter((id): id is string => typeof id === 'string');
  },
  canonicalName: (name) => name,
  request: upstreamRequest,
  events: readSse,
  decoder: (request) => (data) => decodeChunk(request, data),
  embeddings(body) {
    const b = body as { data?: { index?: number; embedding?: unknown }[]; usage?: { prompt_tokens?: unknown } } | null;
    const data = Array.isArray(b?.data) ? [...b.data].sort((x, y) => (x?.index ?? 0) - (y?.index ?? 0)) : [];
    return { vectors: data.map((d) => d?.embedding), promptTokens: b?.usage?.prompt_tokens };
  },
};

/** The upstream path and JSON body for one hub request, addressed to the upstream's name for the model. */
export function upstreamRequest(request: RequestMessage, upstreamModel: string): { path: string; body: Record<string, unknown> } {
  // Streamed always, with usage: deltas reach the hub as the upstream produces them, and the token
  // counts are the upstream's own.
  const streamed = { stream: true, stream_options: { include_usage: true } };
  switch (request.kind) {
    case 'chat':
      return { path: '/chat/completions', body: { model: upstreamModel, ...defined(request.params satisfies ChatParams), ...streamed } };
    case 'completion':
      return { path: '/completions', body: { model: upstreamModel, ...defined(request.params satisfies CompletionParams), ...streamed } };
    case 'embedding':
      return { path: '/embeddings', body: { model: upstreamModel, input: (request.params satisfies EmbeddingParams).input, encoding_format: 'float' } };
  }
}

interface StreamChunk {
  error?: { message?: string } | string;
  choices?: { delta?: { content?: string | null; tool_calls?: ToolCallDelta[] }; text?: string; finish_reason?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

/** One SSE `data` of a chat or completion stream: `[DONE]`, an error, or a chunk. */
function decodeChunk(request: RequestMessage, data: string): StreamStep {
  if (data.trim() === '[DONE]') return { end: true };
  const chunk = JSON.parse(data) as StreamChunk;
  if (chunk.error !== undefined) return { error: typeof chunk.error === 'string' ? chunk.error : (chunk.error.message ?? 'unknown error') };
  const step: StreamStep = {};
  if (chunk.usage) step.usage = { prompt_tokens: tokenCount(chunk.usage.prompt_tokens), completion_tokens: tokenCount(chunk.usage.completion_tokens) };
  const choice = chunk.choices?.[0];
  if (!choice) return step;
  const content = request.kind === 'chat' ? choice.delta?.content : choice.text;
  if (typeof content === 'string') step.content = content;
  if (request.kind === 'chat' && Array.isArray(choice.delta?.tool_calls)) step.tool_calls = choice.delta.tool_calls;
  const finish = finishReasonOf(choice.finish_reason);
  if (finish) step.finish = finish;
  return step;
}

/** The OpenAI finish reasons the protocol knows; the legacy `function_call` is a tool call, anything else a stop. */
export function finishReasonOf(v: unknown): FinishReason | undefined {
  if (v === null || v === undefined) return undefined;
  if (v === 'stop' || v === 'length' || v === 'tool_calls' || v === 'content_filter') return v;
  if (v === 'function_call') return 'tool_calls';
  return 'stop';
}

function defined(obj: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}
