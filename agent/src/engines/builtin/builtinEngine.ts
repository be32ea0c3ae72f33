import { availableParallelism } from 'node:os';
import type { EngineCapability, RequestMessage } from '@porten/shared/protocol';
import type { Logger } from '@porten/shared/log';
import { AgentError, isAgentError } from '../../errors/index.ts';
import type { Engine, EngineSink, LocalModel } from '../types.ts';
import { engineChildCommand, type ChildCommand } from './engineChildCommand.ts';
import { EngineProcess } from './engineProcess.ts';

export interface BuiltinEngineOptions {
  /** llama.cpp threads; capped at the machine's cores (more makes CPU inference collapse). */
  threads: number;
  log: Logger;
  /** Upper bound of a model's context in tokens (default 4096; the model's trained length also bounds it). */
  contextSize?: number;
  /** Requests a model serves at once (default 1); more wait in the child for a free sequence. */
  maxConcurrency?: number;
  /** How to start the llama.cpp child (default engineChildCommand(): engineChild.ts, or the executable itself). */
  child?: ChildCommand;
}


/**
 * llama.cpp through node-llama-cpp, in a child process: a GGUF that makes llama.cpp abort (it
 * does, for some malformed files) kills the child, never the agent. The child is started on first
 * use and again after it died; models that were loaded are loaded again before the next request
 * runs there. Requests are multiplexed to the child by a per-process ref; cancellation is forwarded.
 *
 * Rejected alternatives: loading llama.cpp in the agent's process (one bad file takes the node
 * down; node-llama-cpp's start-up self-test also misbehaves inside the single executable), and a
 * worker thread (an abort() ends the whole process, threads included).
 */
export class BuiltinEngine implements Engine {
  readonly kind = 'builtin' as const;
  private readonly opts: Required<BuiltinEngineOptions>;
  /** Models the engine serves: loaded in the live child, or to be loaded again in the next one. */
  private readonly models = new Map<string, LocalModel>();
  private proc: EngineProcess | undefined;
  private starting: Promise<EngineProcess> | undefined;
  private closed = false;

  /** Throws `payload_missing` when the single executable's native payload is not beside it. */
  constructor(options: BuiltinEngineOptions) {
    this.opts = {
      threads: Math.max(1, Math.min(options.threads, availableParallelism())),
      log: options.log,
      contextSize: options.contextSize ?? 4096,
      maxConcurrency: options.maxConcurrency ?? 1,
      child: options.child ?? engineChildCommand(),
    };
  }

  capabilities(): EngineCapability[] {
    return ['chat', 'completions', 'embeddings'];
  }

  loadedModels(): string[] {
    return [...this.models.keys()];
  }

  /** The child's process id while one runs (for `porten status`, and tests that kill it). */
  get processId(): number | undefined {
    return this.proc?.alive ? this.proc.pid : undefined;
  }

  async load(model: LocalModel): Promise<void> {
    if (this.models.has(model.id)) return;
    const proc = await this.process();
    try {
      await proc.call({ type: 'load', model });
    } catch (err) {
      if (isAgentError(err, 'engine_exited')) {
        throw new AgentError('load_failed', `loading ${model.id} crashed llama.cpp (${err.message}); the file is not a model llama.cpp can load`, { cause: err });
      }
      throw err;
    }
    this.models.set(model.id, model);
    this.opts.log.info('model loaded', { model: model.id, sha256: model.sha256, size_bytes: model.size_bytes });
  }

  async unload(modelId: string): Promise<void> {
    if (!this.models.delete(modelId)) return;
    if (this.proc?.alive) await this.proc.call({ type: 'unload', modelId }).catch((err: unknown) => this.opts.log.warn('unload failed', { model: modelId, error: (err as Error).message }));
    this.opts.log.info('model unloaded', { model: modelId });
  }

  async run(request: RequestMessage, sink: EngineSink, signal: AbortSignal): Promise<void> {
    if (!this.models.has(request.model)) throw new AgentError('model_not_served', `this node has not loaded ${request.model}`);
    if (signal.aborted) throw new AgentError('cancelled', 'the request was cancelled');
    const proc = await this.process();
    let produced = false;
    let onAbort: (() => void) | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        const ref = proc.run(request, {
          delta: (part) => {
            produced = true;
            sink.delta(part);
          },
          result: (embeddings) => {
            produced = true;
            sink.result(embeddings);
          },
          done: (finish, usage) => {
            sink.done(finish, usage);
            resolve();
          },
          // Another node may retry only while nothing reached the client.
          failed: (err) => reject(produced && err.retryable ? new AgentError(err.code, err.message, { retryable: false }) : err),
        });
        onAbort = () => proc.cancel(ref);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const proc = this.proc ?? (await this.starting?.catch(() => undefined));
    await proc?.stop();
  }

  /** The live child, started (and given back its models) when there is none. */
  private process(): Promise<EngineProcess> {
    if (this.closed) return Promise.reject(new AgentError('node_draining', 'the builtin engine is stopping'));
    if (this.proc?.alive) return Promise.resolve(this.proc);
    this.starting ??= this.start().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async start(): Promise<EngineProcess> {
    let proc: EngineProcess;
    try {
      proc = await EngineProcess.start({ command: this.opts.child, log: this.opts.log, settings: { threads: this.opts.threads, contextSize: this.opts.contextSize, sequences: this.opts.maxConcurrency } });
    } catch (err) {
      throw new AgentError('engine_error', `the builtin engine cannot start llama.cpp: ${(err as Error).message}`, { cause: err });
    }
    this.proc = proc;
    for (const model of [...this.models.values()]) {
      try {
        await proc.call({ type: 'load', model });
      } catch (err) {
        // It loaded before; if it no longer does (file gone, or it crashes llama.cpp), stop serving it.
        this.models.delete(model.id);
        this.opts.log.error('model dropped: it did not load again after the engine restarted', { model: model.id, error: (err as Error).message });
        if (!proc.alive) return this.start();
      }
    }
    return proc;
  }
}
