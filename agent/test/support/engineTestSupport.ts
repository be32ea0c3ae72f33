import type { FinishReason, ToolCallDelta, Usage } from '@porten/shared/protocol';
import { isAgentError, type AgentError } from '../../src/errors/index.ts';
import type { EngineSink } from '../../src/engines/types.ts';

/** Test support for engine tests (not used by the agent): an EngineSink that records what an engine delivered, in order. */
export class RecordingSink implements EngineSink {
  readonly deltas: { content?: string; tool_calls?: ToolCallDelta[] }[] = [];
  embeddings: number[][] | undefined;
  finished: { finish: FinishReason; usage: Usage } | undefined;

  delta(part: { content?: string; tool_calls?: ToolCallDelta[] }): void {
    this.deltas.push(part);
  }

  result(embeddings: number[][]): void {
    this.embeddings = embeddings;
  }

  done(finish: FinishReason, usage: Usage): void {
    this.finished = { finish, usage };
  }

  /** The content deltas joined. */
  get text(): string {
    return this.deltas.map((d) => d.content ?? '').join('');
  }
}

/** Test support: the AgentError `p` rejects with (anything else fails the test). */
export async function rejection(p: Promise<unknown>): Promise<AgentError> {
  try {
    await p;
  } catch (err) {
    if (isAgentError(err)) return err;
    throw err;
  }
  throw new Error('expected the run to fail');
}
