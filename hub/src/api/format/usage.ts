import type { Usage } from '@porten/shared/protocol';
import type { CompletionUsage } from './types.ts';

/** The OpenAI usage object from the node's token counts (total = prompt + completion). */
export function completionUsage(usage: Usage): CompletionUsage {
  return { prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens, total_tokens: usage.prompt_tokens + usage.completion_tokens };
}
