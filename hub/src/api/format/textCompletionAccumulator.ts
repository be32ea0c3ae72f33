import type { DeltaMessage, DoneMessage } from '@porten/shared/protocol';
import { textCompletion, textCompletionChunk, textUsageChunk } from './textCompletion.ts';
import type { ResponseMeta, TextCompletion } from './types.ts';

export interface TextStreamOptions extends ResponseMeta {
  /** End the stream with a usage chunk (`stream_options.include_usage`). */
  includeUsage?: boolean;
}

/**
 * The legacy-completion counterpart of ChatStreamAccumulator, with the same three calls: `push` per
 * node delta (a chunk per non-empty text), `finish` (empty text + finish reason, then usage when
 * asked), `completion` (the whole text as one response). One instance per request.
 */
export class TextCompletionAccumulator {
  readonly #meta: ResponseMeta;
  readonly #includeUsage: boolean;
  readonly #text: string[] = [];

  constructor(options: TextStreamOptions) {
    this.#meta = { id: options.id, created: options.created, model: options.model };
    this.#includeUsage = options.includeUsage ?? false;
  }

  push(delta: DeltaMessage): TextCompletion[] {
    if (delta.content === undefined || delta.content === '') return [];
    this.#text.push(delta.content);
    return [textCompletionChunk({ ...this.#meta, text: delta.content, finish_reason: null })];
  }

  finish(done: DoneMessage): TextCompletion[] {
    const chunks = [textCompletionChunk({ ...this.#meta, text: '', finish_reason: done.finish_reason })];
    if (this.#includeUsage) chunks.push(textUsageChunk({ ...this.#meta, usage: done.usage }));
    return chunks;
  }

  completion(done: DoneMessage): TextCompletion {
    return textCompletion({ ...this.#meta, text: this.#text.join(''), finish_reason: done.finish_reason, usage: done.usage });
  }
}
