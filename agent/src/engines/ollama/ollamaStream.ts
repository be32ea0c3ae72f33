import type { FinishReason, RequestMessage, ToolCallDelta, Usage } from '@porten/shared/protocol';
import { tokenCount, type StreamStep } from '../upstream/index.ts';

/**
 * A decoder for the NDJSON lines Ollama streams for one request (docs/api.md): chat lines carry
 * `message.content` and `message.tool_calls`, generate lines carry `response`; the last line has
 * `"done": true`, `done_reason` and the token counts `prompt_eval_count` / `eval_count`; a failure
 * after the stream started is a line `{"error": "…"}` (the HTTP status was already 200).
 *
 * Ollama sends each tool call whole, with `arguments` as an object: it becomes one OpenAI tool-call
 * delta with an index of its own, the arguments as a JSON string, and an id (Ollama's when it
 * gives one). A stream that called tools finishes with `tool_calls` — Ollama says `stop` there.
 */
export function ollamaDecoder(request: RequestMessage): (line: string) => StreamStep {
  let toolCalls = 0;
  return (line) => {
    const chunk = JSON.parse(line) as unknown;
    if (!isObj(chunk)) return { error: 'a stream line that is not a JSON object' };
    if (chunk.error !== undefined) return { error: typeof chunk.error === 'string' ? chunk.error : JSON.stringify(chunk.error) };
    const step: StreamStep = {};
    const message = isObj(chunk.message) ? chunk.message : {};
    const text = request.kind === 'chat' ? message.content : chunk.response;
    if (typeof text === 'string' && text !== '') step.content = text;
    if (request.kind === 'chat' && Array.isArray(message.tool_calls) && message.tool_calls.length > 0) {
      step.tool_calls = message.tool_calls.map((call) => toolCallDelta(call, request.id, toolCalls++));
    }
    if (chunk.done === true) {
      step.end = true;
      step.finish = finishReason(chunk.done_reason, toolCalls > 0);
      const usage = usageOf(chunk);
      if (usage) step.usage = usage;
    }
    return step;
  };
}

/** `done_reason` → the protocol's finish reason: `length` stays, a response with tool calls is `tool_calls`, anything else (`stop`, `load`, none) `stop`. */
export function finishReason(doneReason: unknown, calledTools: boolean): FinishReason {
  if (doneReason === 'length') return 'length';
  return calledTools ? 'tool_calls' : 'stop';
}

/** The final line's counts; undefined when Ollama reported neither (the relay then estimates). */
function usageOf(chunk: Record<string, unknown>): Usage | undefined {
  if (typeof chunk.prompt_eval_count !== 'number' && typeof chunk.eval_count !== 'number') return undefined;
  return { prompt_tokens: tokenCount(chunk.prompt_eval_count), completion_tokens: tokenCount(chunk.eval_count) };
}

function toolCallDelta(call: unknown, requestId: string, index: number): ToolCallDelta {
  const c = isObj(call) ? call : {};
  const fn = isObj(c.function) ? c.function : {};
  const args = fn.arguments;
  return {
    index,
    id: typeof c.id === 'string' && c.id !== '' ? c.id : `call_${requestId}_${index}`,
    type: 'function',
    function: {
      name: typeof fn.name === 'string' ? fn.name : '',
      arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}),
    },
  };
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
