import type { FinishReason, RequestMessage, ToolCallDelta, Usage } from '@porten/shared/protocol';
import type { AgentErrorCode } from '../../errors/index.ts';
import type { LocalModel } from '../types.ts';

/**
 * IPC between the builtin engine (parent, in the agent) and its llama.cpp child process
 * (`engineChild.ts`). Every parent message carries a `ref` chosen by the parent; the child's answers
 * and stream events name it. One `run` is answered by `delta`* / `result` → `done`, or `failed`.
 */

/** Settings the child needs before it can load anything; sent once, first. */
export interface ChildSettings {
  /** llama.cpp threads (never more than the machine's cores). */
  threads: number;
  /** Upper bound of each sequence's context, in tokens (the model's trained length is the other bound). */
  contextSize: number;
  /** Sequences (parallel requests) per loaded model. */
  sequences: number;
}

export type ParentMessage =
  | { type: 'init'; ref: number; settings: ChildSettings }
  | { type: 'load'; ref: number; model: LocalModel }
  | { type: 'unload'; ref: number; modelId: string }
  | { type: 'run'; ref: number; request: RequestMessage }
  | { type: 'cancel'; ref: number };

/** An error crossing the process boundary: the AgentError's code, message and retryability. */
export interface ChildError {
  code: AgentErrorCode;
  message: string;
  retryable: boolean;
}

export type ChildMessage =
  | { type: 'ok'; ref: number }
  | { type: 'failed'; ref: number; error: ChildError }
  | { type: 'delta'; ref: number; part: { content?: string; tool_calls?: ToolCallDelta[] } }
  | { type: 'result'; ref: number; embeddings: number[][] }
  | { type: 'done'; ref: number; finish: FinishReason; usage: Usage };
