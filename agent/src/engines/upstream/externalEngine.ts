import type { EngineCapability, RequestMessage } from '@porten/shared/protocol';
import type { Logger } from '@porten/shared/log';
import type { UpstreamModel } from '../../config/index.ts';
import { AgentError, isAgentError } from '../../errors/index.ts';
import type { Engine, EngineSink, LocalModel } from '../types.ts';
import { relayEmbeddings, relayStream } from './streamUpstream.ts';
import type { UpstreamDialect } from './types.ts';
import { UpstreamHealth, type HealthState } from './upstreamHealth.ts';
import { callUpstream, type Upstream } from './upstreamHttp.ts';

export interface ExternalEngineOptions {
  /** The upstream's root: an OpenAI API root such as `http://127.0.0.1:8000/v1`, or an Ollama daemon's `http://127.0.0.1:11434`. */
  baseUrl: string;
  apiKey: string | undefined;
  /** The allow-list (PORTEN_UPSTREAM_MODELS / PORTEN_OLLAMA_MODELS): what may be advertised, and the upstream's name for each. */
  models: UpstreamModel[];
  healthIntervalMs: number;
  log: Logger;
}

/**
 * A server on the node that owns its models, as the engine: requests are proxied streamed in the
 * upstream's dialect; the upstream is health-checked, and only allow-listed models it lists are
 * advertised. It loads nothing itself. The dialect (openai, ollama) only translates; everything
 * else — HTTP, health, cancellation, error mapping — is this one class for both.
 *
 * Rejected alternative: answering non-streamed requests with a non-streamed upstream call. One
 * streamed path for both keeps the hub's first-byte and cancellation semantics identical.
 */
export class ExternalEngine implements Engine {
  readonly kind: 'openai' | 'ollama';
  private readonly dialect: UpstreamDialect;
  private readonly up: Upstream;
  private readonly models: Map<string, string>;
  private readonly health: UpstreamHealth;
  private readonly log: Logger;

  constructor(dialect: UpstreamDialect, opts: ExternalEngineOptions) {
    this.kind = dialect.kind;
    this.dialect = dialect;
    this.up = { baseUrl: opts.baseUrl, apiKey: opts.apiKey, texts: dialect.texts };
    this.models = new Map(opts.models.map((m) => [m.id, m.upstream]));
    this.health = new UpstreamHealth(this.up, dialect, opts.models, opts.healthIntervalMs, opts.log);
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
    const { label, modelsVariable } = this.dialect.texts;
    return Promise.reject(new AgentError('not_supported', `the ${this.kind} engine does not load weights (asked for ${model.id}): ${label} serves the models it has; list them in ${modelsVariable}`));
  }

  async unload(_modelId: string): Promise<void> {
    // Nothing to release: the upstream owns its models.
  }

  async run(request: RequestMessage, sink: EngineSink, signal: AbortSignal): Promise<void> {
    const upstreamModel = this.models.get(request.model);
    if (upstreamModel === undefined) throw new AgentError('model_not_served', `this node does not serve ${request.model}: it is not in ${this.dialect.texts.modelsVariable}`);
    if (!this.health.serves(request.model)) throw this.health.refusal(request.model);
    const { path, body } = this.dialect.request(request, upstreamModel);
    let res: Response;
    try {
      res = await callUpstream(this.up, 'POST', path, body, signal);
    } catch (err) {
      if (isAgentError(err, 'upstream_unreachable')) this.health.markDown(err);
      // The upstream no longer has a model it listed: look again, so it stops being advertised.
      if (isAgentError(err, 'model_not_served')) void this.health.check();
      throw err;
    }
    if (request.kind === 'embedding') await relayEmbeddings(this.dialect, request.params.input.length, res, sink, signal);
    else await relayStream(this.dialect, request, res, sink, signal, this.log);
  }

  async close(): Promise<void> {
    this.health.stop();
  }
}
