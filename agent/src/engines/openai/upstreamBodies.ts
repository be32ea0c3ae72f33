import type { ChatParams, CompletionParams, EmbeddingParams, FinishReason, RequestMessage } from '@porten/hub/protocol';

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

/** The OpenAI finish reasons the protocol knows; the legacy `function_call` is a tool call, anything else a stop. */
export function finishReasonOf(v: unknown): FinishReason | undefined {
  if (v === null || v === undefined) return undefined;
  if (v === 'stop' || v === 'length' || v === 'tool_calls' || v === 'content_filter') return v;
  if (v === 'function_call') return 'tool_calls';
  return 'stop';
}

/**
 * Rough prompt size in tokens (4 characters each), used only when the upstream reports no usage —
 * the hub's audit record needs a number, and an estimate marked as such in the log beats zero.
 */
export function estimatePromptTokens(request: RequestMessage): number {
  const text = request.kind === 'chat' ? JSON.stringify(request.params.messages) : request.kind === 'completion' ? request.params.prompt : request.params.input.join(' ');
  return Math.ceil(text.length / 4);
}

function defined(obj: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}
