/**
 * The builtin engine's child process (started by BuiltinEngine with an IPC channel): the only
 * process that loads llama.cpp. A GGUF that makes llama.cpp abort takes this process down, not
 * the agent. It does what ParentMessage says and answers with ChildMessage; it exits when the IPC
 * channel closes (the agent stopped or died), so it never outlives the agent.
 *
 * Started as `node engineChild.ts` from source (the `import.meta.main` line at the end), and as
 * `porten __engine-child` in the single executable (internalEntry.ts calls serveEngineChild).
 */
import { AgentError, isAgentError } from '../../errors/index.ts';
import type { ChildError, ChildMessage, ParentMessage } from './childProtocol.ts';
import { TextWindow } from '../textWindow.ts';
import { LlamaHost } from './llamaHost.ts';

/** Serves the parent's messages until the IPC channel closes; exits 2 when there is no channel. */
export function serveEngineChild(): void {
  if (!process.send) {
    console.error('the engine child is started by the builtin engine (with an IPC channel), not by hand');
    process.exit(2);
  }
  process.on('disconnect', () => process.exit(0));
  process.on('message', (raw) => onMessage(raw as ParentMessage));
}

const send = (m: ChildMessage) => process.send!(m);
let host: Promise<LlamaHost> | undefined;
const runs = new Map<number, AbortController>();

function onMessage(m: ParentMessage): void {
  switch (m.type) {
    case 'init':
      host = LlamaHost.start(m.settings);
      return answer(m.ref, host.then(() => undefined));
    case 'load':
      return answer(m.ref, ready().then((h) => h.load(m.model)));
    case 'unload':
      return answer(m.ref, ready().then((h) => h.unload(m.modelId)));
    case 'cancel':
      runs.get(m.ref)?.abort(new AgentError('cancelled', 'the request was cancelled'));
      return;
    case 'run': {
      const ac = new AbortController();
      runs.set(m.ref, ac);
      // Text goes to the parent in one message per window rather than one per token: each IPC
      // write wakes the agent, which on a small machine takes the core from this process between
      // two tokens (textWindow.ts). Whatever ends the run first sends the text held.
      const text = new TextWindow((content) => send({ type: 'delta', ref: m.ref, part: { content } }));
      const sink = {
        delta: (part: { content?: string }) => {
          if (part.content !== undefined) text.push(part.content);
        },
        result: (embeddings: number[][]) => {
          text.flush();
          send({ type: 'result', ref: m.ref, embeddings });
        },
        done: (finish: 'stop' | 'length' | 'tool_calls' | 'content_filter', usage: { prompt_tokens: number; completion_tokens: number }) => {
          text.flush();
          send({ type: 'done', ref: m.ref, finish, usage });
        },
      };
      ready()
        .then((h) => h.run(m.request, sink, ac.signal))
        .catch((err: unknown) => {
          text.flush();
          send({ type: 'failed', ref: m.ref, error: toChildError(err) });
        })
        .finally(() => runs.delete(m.ref));
      return;
    }
  }
}

function ready(): Promise<LlamaHost> {
  return host ?? Promise.reject(new AgentError('engine_error', 'the engine child was not initialised (this is a bug)'));
}

function answer(ref: number, work: Promise<void>): void {
  work.then(
    () => send({ type: 'ok', ref }),
    (err: unknown) => send({ type: 'failed', ref, error: toChildError(err) }),
  );
}

function toChildError(err: unknown): ChildError {
  if (isAgentError(err)) return { code: err.code, message: err.message, retryable: err.retryable };
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'engine_error', message: `llama.cpp failed: ${message}`, retryable: false };
}

if (import.meta.main) serveEngineChild();
