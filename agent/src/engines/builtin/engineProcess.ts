import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FinishReason, RequestMessage, ToolCallDelta, Usage } from '@porten/shared/protocol';
import type { Logger } from '@porten/shared/log';
import { AgentError } from '../../errors/index.ts';
import { CrashWitness } from './crashWitness.ts';
import type { ChildMessage, ChildSettings, ParentMessage } from './childProtocol.ts';
import type { ChildCommand } from './engineChildCommand.ts';

export interface RunHandlers {
  delta(part: { content?: string; tool_calls?: ToolCallDelta[] }): void;
  result(embeddings: number[][]): void;
  done(finish: FinishReason, usage: Usage): void;
  failed(err: AgentError): void;
}

export interface SpawnOptions {
  /** What to run (engineChildCommand()): Node with engineChild.ts, or the single executable itself. */
  command: ChildCommand;
  settings: ChildSettings;
  log: Logger;
}

const STOP_GRACE_MS = 5_000;
const STDERR_DRAIN_MS = 1_000;

type Call = { resolve: () => void; reject: (err: AgentError) => void };

/**
 * One llama.cpp child process and the IPC to it: calls (init, load, unload) answered once, runs
 * answered by a stream, all multiplexed by `ref`. When the process exits, every pending call and
 * run fails with `engine_exited`; the object is then dead and BuiltinEngine starts a new one.
 */
export class EngineProcess {
  private readonly child: ChildProcess;
  private readonly log: Logger;
  private readonly calls = new Map<number, Call>();
  private readonly runs = new Map<number, RunHandlers>();
  /** Reads the child's stderr for the line that explains a crash (llama.cpp prints GGML_ASSERT there before aborting). */
  private readonly crashWitness = new CrashWitness();
  private nextRef = 1;
  private exitError: AgentError | undefined;
  readonly exited: Promise<void>;

  private constructor(child: ChildProcess, log: Logger) {
    this.child = child;
    this.log = log;
    child.on('message', (m) => this.onMessage(m as ChildMessage));
    for (const [stream, level] of [
      [child.stdout, 'debug'],
      [child.stderr, 'warn'],
    ] as const) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        if (level === 'warn') this.crashWitness.observe(line);
        this.log[level]('engine process output', { pid: child.pid, line });
      });
    }
    // stderr may still hold the line that explains an exit: wait for it to end (not for 'close',
    // which a child with an IPC channel that was disconnected first does not emit).
    const stderrEnded = child.stderr ? new Promise<void>((resolve) => child.stderr!.once('close', resolve)) : Promise.resolve();
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        void Promise.race([stderrEnded, sleep(STDERR_DRAIN_MS, undefined, { ref: false })]).then(() => {
          this.onExit(code, signal);
          resolve();
        });
      });
    });
    child.on('error', (err) => this.log.error('engine process error', { pid: child.pid, error: err.message }));
  }

  /** Starts the child with an IPC channel and initialises llama.cpp in it (CPU backend, `settings.threads`). */
  static async start(opts: SpawnOptions): Promise<EngineProcess> {
    // spawn, not fork: fork runs a module file with Node, and the single executable has none to
    // give it. Neither passes the parent's flags (a test runner's loaders, inspector ports) on.
    const child = spawn(opts.command.execPath, opts.command.args, {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    const proc = new EngineProcess(child, opts.log);
    opts.log.info('engine process started', { pid: child.pid, threads: opts.settings.threads });
    await proc.call({ type: 'init', settings: opts.settings });
    return proc;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitError === undefined;
  }

  /** Sends a call and resolves when the child confirms it; rejects with the child's AgentError. */
  call(message: DistributiveOmit<Extract<ParentMessage, { type: 'init' | 'load' | 'unload' }>, 'ref'>): Promise<void> {
    if (this.exitError) return Promise.reject(this.exitError);
    const ref = this.nextRef++;
    return new Promise<void>((resolve, reject) => {
      this.calls.set(ref, { resolve, reject });
      this.send({ ...message, ref } as ParentMessage);
    });
  }

  /** Starts a run; its events go to `handlers`. Returns the ref to cancel it with. */
  run(request: RequestMessage, handlers: RunHandlers): number {
    const ref = this.nextRef++;
    if (this.exitError) {
      handlers.failed(this.exitError);
      return ref;
    }
    this.runs.set(ref, handlers);
    this.send({ type: 'run', ref, request });
    return ref;
  }

  cancel(ref: number): void {
    if (this.runs.has(ref)) this.send({ type: 'cancel', ref });
  }

  /** Closes the IPC channel (the child exits on its own), then kills it if it lingers. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  /** The stderr line that says why the process died (CrashWitness), if it printed one. */
  lastWords(): string | undefined {
    return this.crashWitness.reason();
  }

  private send(message: ParentMessage): void {
    try {
      this.child.send(message);
    } catch (err) {
      // The channel closed under us; the exit handler fails whatever is pending.
      this.log.warn('engine process unreachable', { pid: this.child.pid, error: (err as Error).message });
    }
  }

  private onMessage(m: ChildMessage): void {
    if (m.type === 'ok' || (m.type === 'failed' && this.calls.has(m.ref))) {
      const call = this.calls.get(m.ref);
      this.calls.delete(m.ref);
      if (m.type === 'ok') call?.resolve();
      else call?.reject(new AgentError(m.error.code, m.error.message, { retryable: m.error.retryable }));
      return;
    }
    const run = this.runs.get(m.ref);
    if (!run) return;
    switch (m.type) {
      case 'delta':
        return run.delta(m.part);
      case 'result':
        return run.result(m.embeddings);
      case 'done':
        this.runs.delete(m.ref);
        return run.done(m.finish, m.usage);
      case 'failed':
        this.runs.delete(m.ref);
        return run.failed(new AgentError(m.error.code, m.error.message, { retryable: m.error.retryable }));
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const how = signal ? `signal ${signal}` : `code ${code}`;
    const words = this.lastWords();
    this.exitError = new AgentError('engine_exited', `the engine process exited (${how})${words ? `: ${words}` : ''}`);
    this.log.warn('engine process exited', { pid: this.child.pid, code, signal, last_words: words });
    for (const call of this.calls.values()) call.reject(this.exitError);
    for (const run of this.runs.values()) run.failed(this.exitError);
    this.calls.clear();
    this.runs.clear();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
