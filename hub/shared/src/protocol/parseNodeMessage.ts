import { isObj, nonNeg, strings, typedFrame } from './frameFields.ts';
import type { Capacity, EngineCapability, NodeMessage, ToolCallDelta } from './messages.ts';

/**
 * Validates a frame from a node. Nodes are not trusted: a frame that does not match the protocol is
 * rejected (the hub closes the tunnel), and fields outside the protocol are dropped, so nothing a node
 * adds (a `region`, say) can reach routing.
 */
export function parseNodeMessage(raw: string): NodeMessage | { invalid: string } {
  const parsed = typedFrame(raw);
  if ('invalid' in parsed) return parsed;
  const v = parsed.frame;
  switch (v.type) {
    case 'hello': {
      const engine = v.engine;
      const capacity = capacityOf(v.capacity);
      if (!isObj(engine) || !['builtin', 'ollama', 'openai'].includes(engine.kind as string)) return { invalid: 'hello.engine.kind' };
      if (!capacity) return { invalid: 'hello.capacity' };
      if (typeof v.protocol !== 'number') return { invalid: 'hello.protocol' };
      return {
        type: 'hello',
        protocol: v.protocol,
        agent_version: typeof v.agent_version === 'string' ? v.agent_version.slice(0, 64) : 'unknown',
        engine: {
          kind: engine.kind as 'builtin' | 'ollama' | 'openai',
          capabilities: strings(engine.capabilities).filter((c): c is EngineCapability => ['chat', 'completions', 'embeddings', 'tools'].includes(c)),
        },
        capacity,
        loaded_models: strings(v.loaded_models),
      };
    }
    case 'heartbeat': {
      const capacity = capacityOf(v.capacity);
      if (!capacity) return { invalid: 'heartbeat.capacity' };
      return {
        type: 'heartbeat',
        capacity,
        loaded_models: strings(v.loaded_models),
        in_flight: nonNeg(v.in_flight),
        queue_depth: nonNeg(v.queue_depth),
      };
    }
    case 'load_progress': {
      if (typeof v.model !== 'string' || !['downloading', 'loading', 'ready', 'failed'].includes(v.phase as string)) return { invalid: 'load_progress' };
      return {
        type: 'load_progress',
        model: v.model,
        phase: v.phase as 'downloading' | 'loading' | 'ready' | 'failed',
        done_bytes: nonNeg(v.done_bytes),
        total_bytes: nonNeg(v.total_bytes),
        ...(typeof v.error === 'string' ? { error: v.error.slice(0, 500) } : {}),
      };
    }
    case 'delta': {
      if (typeof v.id !== 'string') return { invalid: 'delta.id' };
      const out: NodeMessage = { type: 'delta', id: v.id };
      if (typeof v.content === 'string') out.content = v.content;
      if (v.tool_calls !== undefined) {
        const calls = toolCallsOf(v.tool_calls);
        if (!calls) return { invalid: 'delta.tool_calls' };
        out.tool_calls = calls;
      }
      return out;
    }
    case 'result': {
      if (typeof v.id !== 'string' || !Array.isArray(v.embeddings)) return { invalid: 'result' };
      const embeddings = v.embeddings.filter((e): e is number[] => Array.isArray(e) && e.every((x) => typeof x === 'number'));
      if (embeddings.length !== v.embeddings.length) return { invalid: 'result.embeddings' };
      return { type: 'result', id: v.id, embeddings };
    }
    case 'done': {
      if (typeof v.id !== 'string') return { invalid: 'done.id' };
      const usage = isObj(v.usage) ? v.usage : {};
      const reason = ['stop', 'length', 'tool_calls', 'content_filter'].includes(v.finish_reason as string) ? (v.finish_reason as 'stop') : 'stop';
      return { type: 'done', id: v.id, finish_reason: reason, usage: { prompt_tokens: tokenCount(usage.prompt_tokens), completion_tokens: tokenCount(usage.completion_tokens) } };
    }
    case 'error': {
      if (typeof v.id !== 'string') return { invalid: 'error.id' };
      return {
        type: 'error',
        id: v.id,
        code: typeof v.code === 'string' ? v.code.slice(0, 64) : 'node_error',
        message: typeof v.message === 'string' ? v.message.slice(0, 1000) : 'the node failed',
        retryable: v.retryable === true,
      };
    }
    default:
      return { invalid: `unknown frame type ${String(v.type).slice(0, 32)}` };
  }
}

function capacityOf(v: unknown): Capacity | undefined {
  if (!isObj(v)) return undefined;
  return { vram_total_mb: nonNeg(v.vram_total_mb), vram_free_mb: nonNeg(v.vram_free_mb), max_concurrency: Math.max(1, nonNeg(v.max_concurrency)) };
}

/** A token count as clients expect it: a whole number (OpenAI's usage fields are integers), else 0. */
function tokenCount(v: unknown): number {
  const n = Math.floor(nonNeg(v));
  return Number.isSafeInteger(n) ? n : 0;
}

/**
 * Tool-call deltas exactly as the protocol has them, or undefined when any part is not: the hub
 * streams these to clients as they are, so a node must not be able to put other shapes there.
 */
function toolCallsOf(v: unknown): ToolCallDelta[] | undefined {
  if (!Array.isArray(v) || v.length > 128) return undefined;
  const out: ToolCallDelta[] = [];
  for (const c of v) {
    if (!isObj(c) || !Number.isSafeInteger(c.index) || (c.index as number) < 0 || (c.index as number) >= 128) return undefined;
    const call: ToolCallDelta = { index: c.index as number };
    if (c.id !== undefined) {
      if (typeof c.id !== 'string') return undefined;
      call.id = c.id;
    }
    if (c.type !== undefined) {
      if (c.type !== 'function') return undefined;
      call.type = 'function';
    }
    if (c.function !== undefined) {
      const f = c.function;
      if (!isObj(f) || (f.name !== undefined && typeof f.name !== 'string') || (f.arguments !== undefined && typeof f.arguments !== 'string')) return undefined;
      call.function = { ...(f.name !== undefined ? { name: f.name as string } : {}), ...(f.arguments !== undefined ? { arguments: f.arguments as string } : {}) };
    }
    out.push(call);
  }
  return out;
}
