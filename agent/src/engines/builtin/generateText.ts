import type { FinishReason, SamplingParams, Usage } from '@porten/shared/protocol';
import type { LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import { AgentError } from '../../errors/index.ts';
import { StopSequenceFilter } from './stopSequenceFilter.ts';

export interface GenerateOptions extends SamplingParams {
  max_tokens?: number;
  /** Text stop sequences the chat template adds (e.g. an end-of-turn marker spelled as text). */
  templateStops?: string[];
}

/** A token whose text ends in U+FFFD is an incomplete UTF-8 sequence; wait for up to this many more. */
const MAX_PARTIAL_TOKENS = 4;
const REPLACEMENT_CHAR = '\uFFFD';

/**
 * Generates a continuation of `prompt` (already tokenised, template applied) on `sequence`,
 * streaming text through `onText`. Finishes with `stop` on an end-of-generation token or a stop
 * sequence, and `length` at `max_tokens` or when the context is full (the context is never shifted:
 * a request sees exactly the prompt it sent). Reuses the longest prefix the sequence already holds,
 * so a follow-up turn of a chat evaluates only its new tokens.
 *
 * Usage is exact by construction: prompt tokens are the tokens given, completion tokens are every
 * token sampled (an end-of-generation token included). Sampling defaults are OpenAI's (temperature
 * 1, top_p 1, no repetition penalty); `seed` makes sampling at temperature > 0 reproducible.
 *
 * Rejected alternative: node-llama-cpp's LlamaChat / LlamaCompletion. They shift the context when it
 * fills (generation never ends on a model that does not emit EOS), silently truncate long prompts,
 * and do not say how many prompt tokens they evaluated when part of the prompt was cached.
 */
export async function generateText(
  model: LlamaModel,
  sequence: LlamaContextSequence,
  prompt: Token[],
  options: GenerateOptions,
  onText: (text: string) => void,
  signal: AbortSignal,
): Promise<{ finish: FinishReason; usage: Usage }> {
  const contextSize = sequence.contextSize;
  if (prompt.length === 0) throw new AgentError('invalid_request', 'the prompt is empty');
  if (prompt.length >= contextSize) {
    throw new AgentError('invalid_request', `the prompt is ${prompt.length} tokens; this node's context for the model holds ${contextSize}: shorten it`);
  }
  if (options.max_tokens !== undefined && !(Number.isInteger(options.max_tokens) && options.max_tokens >= 1)) {
    throw new AgentError('invalid_request', `max_tokens must be a whole number ≥ 1, got ${options.max_tokens}`);
  }
  const room = contextSize - prompt.length;
  const maxTokens = Math.min(options.max_tokens ?? room, room);
  const stops = new StopSequenceFilter([...(options.stop ?? []), ...(options.templateStops ?? [])]);

  const input = await reusePrefix(sequence, prompt);
  const penalties = options.presence_penalty || options.frequency_penalty;
  const generated: Token[] = [];
  let pending: Token[] = [];
  let finish: FinishReason = 'length';
  const iterator = sequence.evaluate(input, {
    temperature: options.temperature ?? 1,
    topP: options.top_p ?? 1,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(penalties
      ? { repeatPenalty: { punishTokens: () => generated.slice(-64), penalty: 1, presencePenalty: options.presence_penalty ?? 0, frequencyPenalty: options.frequency_penalty ?? 0 } }
      : {}),
    yieldEogToken: true,
  });
  try {
    for await (const token of iterator) {
      if (signal.aborted) break;
      generated.push(token);
      if (model.isEogToken(token)) {
        finish = 'stop';
        break;
      }
      pending.push(token);
      const text = model.detokenize(pending, false, generated.slice(-pending.length - 8, -pending.length));
      if (!text.endsWith(REPLACEMENT_CHAR) || pending.length >= MAX_PARTIAL_TOKENS) {
        pending = [];
        const shown = stops.push(text);
        if (shown !== '') onText(shown);
        if (stops.stopped) {
          finish = 'stop';
          break;
        }
      }
      if (generated.length >= maxTokens) break;
    }
  } finally {
    await iterator.return();
  }
  if (signal.aborted) throw new AgentError('cancelled', 'the request was cancelled');
  const rest = stops.flush();
  if (rest !== '') onText(rest);
  return { finish, usage: { prompt_tokens: prompt.length, completion_tokens: generated.length } };
}

/**
 * Keeps the part of the sequence's state that matches the prompt and erases the rest; returns the
 * tokens still to evaluate (at least the last one, whose logits the first sample needs).
 */
async function reusePrefix(sequence: LlamaContextSequence, prompt: Token[]): Promise<Token[]> {
  const held = sequence.contextTokens;
  let common = 0;
  const limit = Math.min(held.length, prompt.length - 1);
  while (common < limit && held[common] === prompt[common]) common++;
  if (sequence.nextTokenIndex > common) await sequence.eraseContextTokenRanges([{ start: common, end: sequence.nextTokenIndex }]);
  return prompt.slice(common);
}
