import type { FinishReason, Usage } from '@porten/shared/protocol';
import type { ChatChunkDelta, ChatCompletionChunk, ResponseMeta } from './types.ts';
import { completionUsage } from './usage.ts';

export interface ChatChunkInput extends ResponseMeta {
  delta: ChatChunkDelta;
  finish_reason: FinishReason | null;
}

/** One stream chunk (official CreateChatCompletionStreamResponse) with a single choice. */
export function chatChunk(input: ChatChunkInput): ChatCompletionChunk {
  return {
    id: input.id,
    object: 'chat.completion.chunk',
    created: input.created,
    model: input.model,
    choices: [{ index: 0, delta: input.delta, logprobs: null, finish_reason: input.finish_reason }],
  };
}

/** The closing chunk of a stream with `stream_options.include_usage`: no choices, the usage of the whole request. */
export function chatUsageChunk(input: ResponseMeta & { usage: Usage }): ChatCompletionChunk {
  return { id: input.id, object: 'chat.completion.chunk', created: input.created, model: input.model, choices: [], usage: completionUsage(input.usage) };
}
