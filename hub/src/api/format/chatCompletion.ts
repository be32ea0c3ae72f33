import type { FinishReason, Usage } from '@porten/shared/protocol';
import type { ChatCompletion, ChatToolCall, ResponseMeta } from './types.ts';
import { completionUsage } from './usage.ts';

export interface ChatCompletionInput extends ResponseMeta {
  content: string;
  tool_calls?: ChatToolCall[];
  finish_reason: FinishReason;
  usage: Usage;
}

/**
 * A non-streamed chat completion (official CreateChatCompletionResponse). When there are tool calls
 * the message content is null, as OpenAI sends it; `refusal` and `logprobs` are always null.
 */
export function chatCompletion(input: ChatCompletionInput): ChatCompletion {
  const toolCalls = input.tool_calls !== undefined && input.tool_calls.length > 0 ? input.tool_calls : undefined;
  return {
    id: input.id,
    object: 'chat.completion',
    created: input.created,
    model: input.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: toolCalls ? null : input.content, refusal: null, ...(toolCalls ? { tool_calls: toolCalls } : {}) },
        logprobs: null,
        finish_reason: input.finish_reason,
      },
    ],
    usage: completionUsage(input.usage),
  };
}
