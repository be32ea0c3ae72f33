import type { FinishReason, RequestMessage, ToolCallDelta, Usage } from '@porten/shared/protocol';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChatWrapper, Llama, LlamaContext, LlamaContextSequence, LlamaEmbeddingContext, LlamaModel } from 'node-llama-cpp';
import { AgentError } from '../../errors/index.ts';
import type { LocalModel } from '../types.ts';
import { chatPrompt } from './chatPrompt.ts';
import { checkGguf } from './checkGguf.ts';
import type { ChildSettings } from './childProtocol.ts';
import { generateText } from './generateText.ts';
import { loadNodeLlamaCpp, type NodeLlamaCpp } from './loadNodeLlamaCpp.ts';

export interface RunSink {
  delta(part: { content?: string; tool_calls?: ToolCallDelta[] }): void;
  result(embeddings: number[][]): void;
  done(finish: FinishReason, usage: Usage): void;
}

interface Loaded {
  model: LlamaModel;
  context: LlamaContext;
  wrapper: ChatWrapper;
  free: LlamaContextSequence[];
  waiting: ((s: LlamaContextSequence) => void)[];
  embedding: Promise<LlamaEmbeddingContext> | undefined;
  running: Set<AbortController>;
}

/** llama.cpp's last error lines, so that a failed load can say what llama.cpp said. */
const LOG_LINES_KEPT = 5;
const LOG_WAIT_MS = 500;

/**
 * The child process's llama.cpp: one Llama instance (CPU only, never building or downloading),
 * and per loaded model one context with a fixed pool of sequences; requests beyond the pool wait
 * for a free sequence. Lives only inside the engine child (engineChild.ts).
 */
export class LlamaHost {
  private readonly lib: NodeLlamaCpp;
  private readonly llama: Llama;
  private readonly settings: ChildSettings;
  private readonly models = new Map<string, Loaded>();
  private readonly loading = new Map<string, Promise<void>>();
  private readonly errorLog: string[];

  private constructor(lib: NodeLlamaCpp, llama: Llama, settings: ChildSettings, errorLog: string[]) {
    this.lib = lib;
    this.llama = llama;
    this.settings = settings;
    this.errorLog = errorLog;
  }

  static async start(settings: ChildSettings): Promise<LlamaHost> {
    const errorLog: string[] = [];
    const lib = await loadNodeLlamaCpp();
    const { LlamaLogLevel } = lib;
    const llama = await lib.getLlama({
      gpu: false,
      // Only the prebuilt CPU binary in @node-llama-cpp/linux-x64: never clone, build or download.
      // The GPU and other-CPU prebuilt packages are not even installed: the root package.json
      // overrides them to "<0.0.0-0", a range no version satisfies, so npm skips these optional
      // dependencies (about 640 MB on linux-x64), and node-llama-cpp's postinstall is skipped.
      build: 'never',
      skipDownload: true,
      usePrebuiltBinaries: true,
      progressLogs: false,
      maxThreads: settings.threads,
      logLevel: LlamaLogLevel.warn,
      logger: (level, message) => {
        if (level !== LlamaLogLevel.error && level !== LlamaLogLevel.fatal) return;
        errorLog.push(message.trim());
        if (errorLog.length > LOG_LINES_KEPT) errorLog.shift();
      },
    });
    return new LlamaHost(lib, llama, settings, errorLog);
  }

  async load(local: LocalModel): Promise<void> {
    if (this.models.has(local.id)) return;
    const pending = this.loading.get(local.id);
    if (pending) return pending;
    const loading = this.doLoad(local).finally(() => this.loading.delete(local.id));
    this.loading.set(local.id, loading);
    return loading;
  }

  async unload(modelId: string): Promise<void> {
    await this.loading.get(modelId)?.catch(() => undefined);
    const m = this.models.get(modelId);
    if (!m) return;
    this.models.delete(modelId);
    for (const run of m.running) run.abort(new AgentError('model_not_served', `${modelId} was unloaded while the request ran`, { retryable: true }));
    const embedding = await m.embedding?.catch(() => undefined);
    await embedding?.dispose();
    await m.context.dispose();
    await m.model.dispose();
  }

  async run(request: RequestMessage, sink: RunSink, signal: AbortSignal): Promise<void> {
    const m = this.models.get(request.model);
    if (!m) throw new AgentError('model_not_served', `${request.model} is not loaded in the engine`);
    const run = new AbortController();
    const onAbort = () => run.abort(signal.reason);
    signal.addEventListener('abort', onAbort);
    m.running.add(run);
    try {
      if (request.kind === 'embedding') return await this.embed(m, request.params.input, sink, run.signal);
      if (request.kind === 'chat') refuseStructuredOutput(request.params.response_format);
      const sequence = await this.acquire(m, run.signal);
      try {
        const prompt =
          request.kind === 'chat'
            ? chatPrompt(m.model, m.wrapper, request.params.messages)
            : { tokens: m.model.tokenize(request.params.prompt, false), templateStops: [] };
        if (request.kind === 'completion' && m.model.tokens.shouldPrependBosToken && m.model.tokens.bos !== null) prompt.tokens.unshift(m.model.tokens.bos);
        const { finish, usage } = await generateText(
          m.model,
          sequence,
          prompt.tokens,
          { ...request.params, templateStops: prompt.templateStops },
          (content) => sink.delta({ content }),
          run.signal,
        );
        sink.done(finish, usage);
      } finally {
        this.release(m, sequence);
      }
    } catch (err) {
      if (run.signal.aborted && (run.signal.reason as unknown) instanceof AgentError) throw run.signal.reason;
      throw err;
    } finally {
      m.running.delete(run);
      signal.removeEventListener('abort', onAbort);
    }
  }

  private async doLoad(local: LocalModel): Promise<void> {
    await checkGguf(local.path, local.id);
    this.errorLog.length = 0;
    let model: LlamaModel;
    try {
      model = await this.llama.loadModel({ modelPath: local.path, gpuLayers: 0 });
    } catch (err) {
      throw new AgentError('load_failed', `llama.cpp cannot load ${local.id} from ${local.path}: ${await this.llamaSays(err)}`, { cause: err });
    }
    try {
      const context = await model.createContext({
        contextSize: Math.min(this.settings.contextSize, model.trainContextSize),
        sequences: this.settings.sequences,
        threads: this.settings.threads,
      });
      const free: LlamaContextSequence[] = [];
      for (let i = 0; i < this.settings.sequences; i++) free.push(context.getSequence());
      this.models.set(local.id, { model, context, wrapper: this.lib.resolveChatWrapper(model), free, waiting: [], embedding: undefined, running: new Set() });
    } catch (err) {
      await model.dispose();
      throw new AgentError('load_failed', `llama.cpp cannot create a context for ${local.id}: ${await this.llamaSays(err)}`, { cause: err });
    }
  }

  /** llama.cpp's own words for a failure, else the binding's error message. */
  private async llamaSays(err: unknown): Promise<string> {
    // Log lines reach JS through a thread-safe callback, so they may arrive after the rejection.
    for (let waited = 0; this.errorLog.length === 0 && waited < LOG_WAIT_MS; waited += 10) await sleep(10);
    const said = this.errorLog.filter((l) => !l.includes('failed to load model')).join('; ');
    return said || (err as Error).message;
  }

  private acquire(m: Loaded, signal: AbortSignal): Promise<LlamaContextSequence> {
    const s = m.free.pop();
    if (s) return Promise.resolve(s);
    return new Promise((resolve, reject) => {
      const waiter = (seq: LlamaContextSequence) => {
        signal.removeEventListener('abort', onAbort);
        resolve(seq);
      };
      const onAbort = () => {
        m.waiting.splice(m.waiting.indexOf(waiter), 1);
        reject(new AgentError('cancelled', 'the request was cancelled while it waited for the model'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      m.waiting.push(waiter);
    });
  }

  private release(m: Loaded, sequence: LlamaContextSequence): void {
    const next = m.waiting.shift();
    if (next) next(sequence);
    else m.free.push(sequence);
  }

  private async embed(m: Loaded, inputs: string[], sink: RunSink, signal: AbortSignal): Promise<void> {
    const empty = inputs.findIndex((i) => i === '');
    if (empty !== -1) throw new AgentError('invalid_request', `input[${empty}] is empty`);
    m.embedding ??= m.model.createEmbeddingContext({ contextSize: Math.min(this.settings.contextSize, m.model.trainContextSize), threads: this.settings.threads });
    const ctx = await m.embedding;
    const vectors: number[][] = [];
    let promptTokens = 0;
    for (const input of inputs) {
      if (signal.aborted) throw new AgentError('cancelled', 'the request was cancelled');
      const tokens = m.model.tokenize(input, false);
      promptTokens += tokens.length;
      vectors.push([...(await ctx.getEmbeddingFor(tokens)).vector]);
    }
    sink.result(vectors);
    sink.done('stop', { prompt_tokens: promptTokens, completion_tokens: 0 });
  }
}

/** JSON mode and JSON schemas are not implemented (llama.cpp grammars could do it): refuse rather than ignore. */
function refuseStructuredOutput(responseFormat: unknown): void {
  const type = (responseFormat as { type?: unknown } | null | undefined)?.type;
  if (responseFormat === undefined || responseFormat === null || type === 'text') return;
  throw new AgentError('invalid_request', `response_format ${JSON.stringify(type)} is not supported by the builtin engine yet (only "text")`);
}
