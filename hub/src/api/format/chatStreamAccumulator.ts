import type { DeltaMessage, DoneMessage, FinishReason, ToolCallDelta } from '@porten/shared/protocol';
import { chatChunk, chatUsageChunk } from './chatChunk.ts';
import { chatCompletion } from './chatCompletion.ts';
import type { ChatChunkDelta, ChatCompletion, ChatCompletionChunk, ChatToolCall, ResponseMeta } from './types.ts';

export interface ChatStreamOptions extends ResponseMeta {
  /** End the stream with a usage chunk (`stream_options.include_usage`). */
  includeUsage?: boolean;
}

interface ToolCallState {
  id: string;
  name: string;
  /** Argument fragments in arrival order, joined once at the end. */
  args: string[];
}

/**
 * Turns one request's node events into what the client gets: stream chunks as they come
 * (`push`, then `finish`), or, for a non-streamed request, one chat completion at the end
 * (`push` for every delta, then `completion`). One instance per request.
 *
 * Contract of the chunks, matching what OpenAI sends and what its SDK's stream helper accepts:
 * - the first chunk carries `delta.role: "assistant"`; deltas with nothing in them produce no chunk;
 * - a tool call's first fragment carries its `id`, `type: "function"` and (once known) its name;
 *   later fragments carry only `index` and argument text. A node that sends no id gets one here;
 * - the closing chunk has an empty delta and the finish reason; with `includeUsage` a chunk with no
 *   choices and the usage follows.
 *
 * - a tool call's fragments are forwarded in arrival order, so they must be contiguous per call, as
 *   engines emit them: the SDK's stream helper takes a new `index` as the end of the previous call.
 *
 * The completion merges tool-call fragments by `index` whatever their order (arguments concatenated
 * in arrival order, the first name given wins) and lists calls by index. When tool calls were produced and the node says
 * `stop`, the finish reason is reported as `tool_calls`: clients run tools only on that reason.
 */
export class ChatStreamAccumulator {
  readonly #meta: ResponseMeta;
  readonly #includeUsage: boolean;
  readonly #content: string[] = [];
  readonly #toolCalls = new Map<number, ToolCallState>();
  #roleSent = false;

  constructor(options: ChatStreamOptions) {
    this.#meta = { id: options.id, created: options.created, model: options.model };
    this.#includeUsage = options.includeUsage ?? false;
  }

  /** Records one node delta; returns the chunk to stream for it (none when it carried nothing). */
  push(delta: DeltaMessage): ChatCompletionChunk[] {
    const out: ChatChunkDelta = {};
    if (delta.content !== undefined && delta.content !== '') {
      this.#content.push(delta.content);
      out.content = delta.content;
    }
    if (delta.tool_calls !== undefined && delta.tool_calls.length > 0) {
      out.tool_calls = delta.tool_calls.map((fragment) => this.#recordToolCall(fragment));
    }
    if (out.content === undefined && out.tool_calls === undefined) return [];
    return [this.#chunk(out, null)];
  }

  /** The closing chunks of a stream: the finish reason, then the usage when it was asked for. */
  finish(done: DoneMessage): ChatCompletionChunk[] {
    const chunks = [this.#chunk({}, this.#finishReason(done.finish_reason))];
    if (this.#includeUsage) chunks.push(chatUsageChunk({ ...this.#meta, usage: done.usage }));
    return chunks;
  }

  /** The whole answer as one chat completion (non-streamed requests). */
  completion(done: DoneMessage): ChatCompletion {
    const toolCalls: ChatToolCall[] = [...this.#toolCalls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, call]) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.args.join('') } }));
    return chatCompletion({
      ...this.#meta,
      content: this.#content.join(''),
      ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
      finish_reason: this.#finishReason(done.finish_reason),
      usage: done.usage,
    });
  }

  #chunk(delta: ChatChunkDelta, finishReason: FinishReason | null): ChatCompletionChunk {
    const withRole: ChatChunkDelta = this.#roleSent ? delta : { role: 'assistant', ...delta };
    this.#roleSent = true;
    return chatChunk({ ...this.#meta, delta: withRole, finish_reason: finishReason });
  }

  /** Merges a fragment into the call at its index; returns the fragment as the client should see it. */
  #recordToolCall(fragment: ToolCallDelta): ToolCallDelta {
    const name = fragment.function?.name;
    const args = fragment.function?.arguments;
    let call = this.#toolCalls.get(fragment.index);
    const isFirst = call === undefined;
    if (call === undefined) {
      call = { id: fragment.id ?? `call_${this.#meta.id.replace(/^chatcmpl-/, '')}_${fragment.index}`, name: '', args: [] };
      this.#toolCalls.set(fragment.index, call);
    }
    const announceName = name !== undefined && name !== '' && call.name === '';
    if (announceName) call.name = name;
    if (args !== undefined && args !== '') call.args.push(args);

    const fn: { name?: string; arguments?: string } = {};
    if (announceName) fn.name = name;
    if (isFirst || (args !== undefined && args !== '')) fn.arguments = args ?? '';
    return {
      index: fragment.index,
      ...(isFirst ? { id: call.id, type: 'function' as const } : {}),
      ...(fn.name !== undefined || fn.arguments !== undefined ? { function: fn } : {}),
    };
  }

  #finishReason(reported: FinishReason): FinishReason {
    return reported === 'stop' && this.#toolCalls.size > 0 ? 'tool_calls' : reported;
  }
}
