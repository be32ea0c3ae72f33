import type { RequestMessage } from '@porten/shared/protocol';

/** A token count as an upstream reported it: a non-negative whole number, else 0. */
export function tokenCount(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : 0;
}

/**
 * Rough prompt size in tokens (4 characters each), used only when the upstream reports no usage —
 * the hub's audit record needs a number, and an estimate marked as such in the log beats zero.
 */
export function estimatePromptTokens(request: RequestMessage): number {
  const text = request.kind === 'chat' ? JSON.stringify(request.params.messages) : request.kind === 'completion' ? request.params.prompt : request.params.input.join(' ');
  return Math.ceil(text.length / 4);
}
