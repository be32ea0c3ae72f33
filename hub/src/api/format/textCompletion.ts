import type { FinishReason, Usage } from '@porten/shared/protocol';
import type { ResponseMeta, TextCompletion, TextFinishReason } from './types.ts';
import { completionUsage } from './usage.ts';

/** Legacy completions have no tool calls; a node that reports one is reported as a plain stop. */
function textFinishReason(reason: FinishReason): TextFinishReason {
  return reason === 'tool_calls' ? 'stop' : reason;
}

/** A non-streamed legacy completion (official CreateCompletionResponse). */
export function textCompletion(input: ResponseMeta & { text: string; finish_reason: FinishReason; usage: Usage }): TextCompletion {
  return {
    id: input.id,
    object: 'text_completion',
    created: input.created,
    model: input.model,
    choices: [{ index: 0, text: input.text, logprobs: null, finish_reason: textFinishReason(input.finish_reason) }],
    usage: completionUsage(input.usage),
  };
}

/**
 * One legacy completion stream chunk. Chunks before the last carry `finish_reason: null`, as the live
 * API and every client expect; the official schema types the field as non-null because it describes
 * only the whole response (noted in the tests, which check the rest of each chunk against it).
 */
export function textCompletionChunk(input: ResponseMeta & { text: string; finish_reason: FinishReason | null }): TextCompletion {
  return {
    id: input.id,
    object: 'text_completion',
    created: input.created,
    model: input.model,
    choices: [{ index: 0, text: input.text, logprobs: null, finish_reason: input.finish_reason === null ? null : textFinishReason(input.finish_reason) }],
  };
}

/** The closing chunk of a legacy stream with `stream_options.include_usage`: no choices, the usage. */
export function textUsageChunk(input: ResponseMeta & { usage: Usage }): TextCompletion {
  return { id: input.id, object: 'text_completion', created: input.created, model: input.model, choices: [], usage: completionUsage(input.usage) };
}
