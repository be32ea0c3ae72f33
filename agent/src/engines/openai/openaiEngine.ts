import type { EngineCapability, FinishReason, RequestMessage, ToolCallDelta, Usage } from '@porten/hub/protocol';
import type { Logger } from '@porten/hub/log';
import type { UpstreamModel } from '../../config/index.ts';
import { AgentError, describeNetworkError, isAgentError } from '../../errors/index.ts';
import type { Engine, EngineSink, LocalModel } from '../types.ts';
import { readSse } from './readSse.ts';
import { estimatePromptTokens, finishReasonOf, upstreamRequest } from './upstreamBodies.ts';
import { UpstreamHealth, type HealthState } from './upstreamHealth.ts';
import { callUpstream, type Upstream } from './upstreamHttp.ts';

export interface OpenAIEngineOptions {
  /** The upstream's API root, e.g. `http://127.0.0.1:8000/v1`. */
  baseUrl: string;
  apiKey: string | undefined;
  /** PORTEN_UPSTREAM_MODELS: what may be advertised, and the upstream's name for each. */
  models: UpstreamModel[];
  healthIntervalMs: number;
  log: Logger;
}

interface StreamChunk {
  error?: { message?: string } | string;
  choices?: { delta?: { content?: string | null; tool_calls?: ToolCallDelta[] }; text?: string; finish_reason?: string | null }[];
  usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
}

/**
 * An OpenAI-compatible server on the node (vLLM, llama.cpp server, another Porten hub …) as the
 * engine. Requests are proxied streamed; the upstream is health-checked, and only allow-listed
 * models it lists are advertised. It loads nothing itself: the upstream owns its models.
 *
 * Rejected alternative: answering non-streamed requests with a non-streamed upstream call. One
 * streamed path for both keeps the hub's first-byte and cancellation semantics identical.
 */
export class OpenAIEngine implements Engine {
  readonly kind = 'openai' as const;
  private readonly up: Upstream;
  private readonly models: Map<string, string>;
  private readonly health: UpstreamHealth;
  private readonly log: Logger;

  constructor(opts: OpenAIEngineOptions) {
    this.up = { baseUrl: opts.baseUrl, apiKey: opts.apiKey };
    this.models = new Map(opts.models.map((m) => [m.id, m.upstream]));
    this.health = new UpstreamHealth(this.up, opts.models, opts.healthIntervalMs, opts.log);
    this.log = opts.log;
  }

  /** Checks the upstream once (so the first `hello` advertises the truth), then keeps checking. */
  async start(): Promise<void> {
    await this.health.check();
  }

  /** For `porten status` and logs: healthy or why not, what is advertised and what is missing. */
  healthState(): HealthState {
    return this.health.state;
  }

  get upstreamUrl(): string {
    return this.up.baseUrl;
  }

  capabilities(): EngineCapability[] {
    return ['chat', 'completions', 'embeddings', 'tools'];
  }

  loadedModels(): string[] {
    return [...this.health.state.served];
  }

  load(model: LocalModel): Promise<void> {
    return Promise.reject(new AgentError('not_supported', `the openai engine does not load weights (asked for ${model.id}): its upstream serves the models it has; list them in PORTEN_UPSTREAM_MODELS`));
  }

  async unload(_modelId: string): Promise<void> {
    // Nothing to release: the upstream owns its models.
  }

  async run(request: RequestMessage, sink: EngineSink, signal: AbortSignal): Promise<void> {
    const upstreamModel = this.models.get(request.model);
    if (upstreamModel === undefined) throw new AgentError('model_not_served', `this node does not serve ${request.model}: it is not in PORTEN_UPSTREAM_MODELS`);
    if (!this.health.serves(request.model)) {
      const why = this.health.state.healthy ? 'the upstream does not list it' : `the upstream is unhealthy (${this.health.state.error ?? 'unknown'})`;
      throw new AgentError('model_not_served', `this node cannot serve ${request.model} now: ${why}`);
    }
    const { path, body } = upstreamRequest(request, upstreamModel);
    let res: Response;
    try {
      res = await callUpstream(this.up, 'POST', path, body, signal);
    } catch (err) {
      if (isAgentError(err, 'upstream_unreachable')) this.health.markDown(err.message);
      throw err;
    }
    if (request.kind === 'embedding') await this.embed(request.params.input.length, res, sink, signal);
    else await this.stream(request, res, sink, signal);
  }

  async close(): Promise<void> {
    this.health.stop();
  }

  private async embed(count: number, res: Response, sink: EngineSink, signal: AbortSignal): Promise<void> {
    let body: { data?: { index?: number; embedding?: unknown }[]; usage?: { prompt_tokens?: number } };
    try {
      body = (await res.json()) as typeof body;
    } catch (err) {
      throw signal.aborted ? cancelled(err) : new AgentError('upstream_error', `the upstream's embeddings response is not JSON (${describeNetworkError(err)})`);
    }
    const data = Array.isArray(body.data) ? [...body.data].sort((a, b) => (a.index ?? 0) - (b.index ?? 0)) : [];
    const vectors = data.map((d) => d.embedding);
    if (vectors.length !== count || !vectors.every((v): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number'))) {
      throw new AgentError('upstream_error', `the upstream returned ${vectors.length} embeddings for ${count} inputs, or vectors that are not numbers`);
    }
    sink.result(vectors);
    sink.done('stop', { prompt_tokens: nonNeg(body.usage?.prompt_tokens), completion_tokens: 0 });
  }

  private async stream(request: RequestMessage, res: Response, sink: EngineSink, signal: AbortSignal): Promise<void> {
    if (!res.body) throw new AgentError('upstream_error', 'the upstream answered without a body');
    let produced = false;
    let sawDone = false;
    let contentChunks = 0;
    let finish: FinishReason | undefined;
    let usage: Usage | undefined;
    try {
      for await (const data of readSse(res.body)) {
        if (data.trim() === '[DONE]') {
          sawDone = true;
          break;
        }
        let chunk: StreamChunk;
        try {
          chunk = JSON.parse(data) as StreamChunk;
        } catch {
          throw new AgentError('upstream_error', 'the upstream sent a stream event that is not JSON', { retryable: !produced });
        }
        if (chunk.error !== undefined) {
          const msg = typeof chunk.error === 'string' ? chunk.error : (chunk.error.message ?? 'unknown error');
          throw new AgentError('upstream_error', `the upstream failed mid-stream: ${msg}`, { retryable: !produced });
        }
        if (chunk.usage) usage = { prompt_tokens: nonNeg(chunk.usage.prompt_tokens), completion_tokens: nonNeg(chunk.usage.completion_tokens) };
        const choice = chunk.choices?.[0];
        if (!choice) continue;
        const content = request.kind === 'chat' ? choice.delta?.content : choice.text;
        const toolCalls = request.kind === 'chat' && Array.isArray(choice.delta?.tool_calls) && choice.delta.tool_calls.length > 0 ? choice.delta.tool_calls : undefined;
        if ((typeof content === 'string' && content !== '') || toolCalls) {
          sink.delta({ ...(typeof content === 'string' && content !== '' ? { content } : {}), ...(toolCalls ? { tool_calls: toolCalls } : {}) });
          produced = true;
          contentChunks++;
        }
        finish = finishReasonOf(choice.finish_reason) ?? finish;
      }
    } catch (err) {
      if (signal.aborted) throw cancelled(err);
      if (isAgentError(err)) throw err;
      throw new AgentError('upstream_error', `the upstream's stream broke off (${describeNetworkError(err)})`, { retryable: !produced, cause: err });
    }
    if (signal.aborted) throw cancelled(undefined);
    if (!sawDone && finish === undefined) throw new AgentError('upstream_error', 'the upstream ended its stream before finishing the response', { retryable: !produced });
    if (!usage) {
      usage = { prompt_tokens: estimatePromptTokens(request), completion_tokens: contentChunks };
      this.log.debug('upstream reported no usage; estimated it', { model: request.model, ...usage });
    }
    sink.done(finish ?? 'stop', usage);
  }
}

function cancelled(cause: unknown): AgentError {
  return new AgentError('cancelled', 'the request was cancelled', { cause });
}

function nonNeg(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : 0;
}
