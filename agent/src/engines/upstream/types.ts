import type { FinishReason, RequestMessage, ToolCallDelta, Usage } from '@porten/shared/protocol';

/** How messages and logs name one kind of upstream, and what they tell the operator to do. */
export interface UpstreamTexts {
  /** Starts sentences, lower case: `the upstream`, `the Ollama daemon`. */
  label: string;
  /** The allow-list variable: `PORTEN_UPSTREAM_MODELS`, `PORTEN_OLLAMA_MODELS`. */
  modelsVariable: string;
  /** What to do when it cannot be reached (appended after `; `). */
  unreachableHint: string;
  /** What to do about an allow-listed model it does not list. */
  missingHint: string;
}

/** What one event of an upstream's stream means, protocol-neutral. */
export interface StreamStep {
  /** Chat: assistant content; completion: text. */
  content?: string;
  tool_calls?: ToolCallDelta[];
  finish?: FinishReason;
  usage?: Usage;
  /** The upstream's end-of-stream marker (`[DONE]`, `"done": true`): nothing more is read. */
  end?: boolean;
  /** The upstream reported a failure inside the stream. */
  error?: string;
}

/**
 * How to speak to one kind of upstream (the OpenAI API, Ollama's native API): pure translation,
 * no I/O. The external engine (externalEngine.ts) does the HTTP, health checks, cancellation and
 * error mapping the same way for every dialect.
 */
export interface UpstreamDialect {
  kind: 'openai' | 'ollama';
  texts: UpstreamTexts;
  /** `GET` path listing the upstream's models (the health check). */
  modelsPath: string;
  /** The model names in the answer to `modelsPath`; throws when the answer is not a model list. */
  listedModels(body: unknown): string[];
  /** Names that denote the same model compare equal after this (Ollama: `llama3` is `llama3:latest`). */
  canonicalName(name: string): string;
  /** The path and JSON body for one hub request; throws AgentError `invalid_request` when it cannot be expressed. */
  request(request: RequestMessage, upstreamModel: string): { path: string; body: unknown };
  /** Splits a streamed response body into its events (SSE `data`, NDJSON lines). */
  events(body: ReadableStream<Uint8Array>): AsyncIterable<string>;
  /** A decoder for one request's stream events, fed in order (it may keep state, e.g. tool-call indices). Throws SyntaxError on an event that is not JSON. */
  decoder(request: RequestMessage): (event: string) => StreamStep;
  /** The vectors (validated by the caller) and the prompt token count of an embeddings answer. */
  embeddings(body: unknown): { vectors: unknown; promptTokens: unknown };
}
