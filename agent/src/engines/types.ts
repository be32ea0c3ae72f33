import type { EngineCapability, EngineKind, RequestMessage, ToolCallDelta, FinishReason, Usage } from '@porten/shared/protocol';

/** Where an engine delivers one request's output, in order; exactly one of done / a thrown EngineError ends it. */
export interface EngineSink {
  /** Chat: assistant content; completion: text. Tool-call fragments for chat with tools. */
  delta(part: { content?: string; tool_calls?: ToolCallDelta[] }): void;
  /** Embeddings: one vector per input, in input order (sent before done). */
  result(embeddings: number[][]): void;
  done(finish: FinishReason, usage: Usage): void;
}

/** A model the engine can load: the catalog id and the verified weights file on local disk. */
export interface LocalModel {
  id: string;
  path: string;
  sha256: string;
  size_bytes: number;
}

/**
 * An inference engine behind the agent (`PORTEN_ENGINE`): `builtin` (llama.cpp through
 * node-llama-cpp, in a child process), `openai` (an OpenAI-compatible upstream), `ollama`.
 * The tunnel client drives it; it never sees the hub or the network beyond its own upstream.
 */
export interface Engine {
  readonly kind: EngineKind;
  /** What the engine can do, advertised to the hub in `hello`. */
  capabilities(): EngineCapability[];
  /** Catalog ids the engine can serve right now (loaded, or for external engines: advertised). */
  loadedModels(): string[];
  /** Builtin only: loads weights (already downloaded and verified). External engines reject. */
  load(model: LocalModel): Promise<void>;
  unload(modelId: string): Promise<void>;
  /**
   * Runs one request, streaming into `sink`. Rejects with EngineError (`retryable` when nothing was
   * produced and another node could serve). Aborting `signal` stops generation promptly.
   */
  run(request: RequestMessage, sink: EngineSink, signal: AbortSignal): Promise<void>;
  /** Stops the engine (child process, connections). */
  close(): Promise<void>;
}
