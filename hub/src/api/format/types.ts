import type { FinishReason, ToolCallDelta } from '@porten/shared/protocol';

/**
 * The OpenAI response shapes the hub sends, as the official component schemas define them
 * (CreateChatCompletionResponse, CreateChatCompletionStreamResponse, CreateCompletionResponse,
 * CreateEmbeddingResponse, Model, ListModelsResponse). Tests validate every builder against them.
 */

export interface CompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatResponseMessage {
  role: 'assistant';
  /** Null when the turn is tool calls. */
  content: string | null;
  refusal: null;
  tool_calls?: ChatToolCall[];
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: [{ index: 0; message: ChatResponseMessage; logprobs: null; finish_reason: FinishReason }];
  usage: CompletionUsage;
}

export interface ChatChunkDelta {
  role?: 'assistant';
  content?: string;
  tool_calls?: ToolCallDelta[];
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  /** One choice, or none in the closing usage chunk. */
  choices: Array<{ index: 0; delta: ChatChunkDelta; logprobs: null; finish_reason: FinishReason | null }>;
  usage?: CompletionUsage;
}

/** Legacy completions have no tool calls. */
export type TextFinishReason = Exclude<FinishReason, 'tool_calls'>;

export interface TextCompletion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  /** `finish_reason` is null on stream chunks before the last, as the live API sends it (see textCompletion.ts). */
  choices: Array<{ index: 0; text: string; logprobs: null; finish_reason: TextFinishReason | null }>;
  usage?: CompletionUsage;
}

export interface EmbeddingObject {
  object: 'embedding';
  index: number;
  /** Numbers, or base64 of little-endian float32 when the client asked for `base64`. */
  embedding: number[] | string;
}

export interface EmbeddingList {
  object: 'list';
  data: EmbeddingObject[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

export interface ModelObject {
  id: string;
  object: 'model';
  created: number;
  owned_by: 'porten';
  /** Porten additions (the official Model allows extra fields): what the model can do, and its context size. */
  capabilities: string[];
  context_length: number;
}

export interface ModelList {
  object: 'list';
  data: ModelObject[];
}

/** What identifies one response across its chunks. */
export interface ResponseMeta {
  id: string;
  /** Unix seconds. */
  created: number;
  model: string;
}
