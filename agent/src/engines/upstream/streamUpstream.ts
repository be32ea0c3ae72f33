import type { FinishReason, RequestMessage, Usage } from '@porten/shared/protocol';
import type { Logger } from '@porten/shared/log';
import { AgentError, describeNetworkError, isAgentError } from '../../errors/index.ts';
import type { EngineSink } from '../types.ts';
import { estimatePromptTokens, tokenCount } from './tokenCounts.ts';
import type { StreamStep, UpstreamDialect } from './types.ts';

/**
 * Relays one streamed upstream response into `sink`, whatever the dialect: deltas as they arrive,
 * then `done` with the upstream's finish reason and token counts (estimated, and logged as such,
 * only when it reports none). Failures are AgentError `upstream_error`, retryable only while
 * nothing was produced; aborting `signal` (the request's, which also aborts the HTTP request and
 * so stops the upstream's generation) rejects with `cancelled`.
 */
export async function relayStream(dialect: UpstreamDialect, request: RequestMessage, res: Response, sink: EngineSink, signal: AbortSignal, log: Logger): Promise<void> {
  const { label } = dialect.texts;
  if (!res.body) throw new AgentError('upstream_error', `${label} answered without a body`);
  const decode = dialect.decoder(request);
  let produced = false;
  let ended = false;
  let contentChunks = 0;
  let finish: FinishReason | undefined;
  let usage: Usage | undefined;
  try {
    for await (const event of dialect.events(res.body)) {
      let step: StreamStep;
      try {
        step = decode(event);
      } catch (err) {
        if (err instanceof SyntaxError) throw new AgentError('upstream_error', `${label} sent a stream event that is not JSON`, { retryable: !produced });
        throw err;
      }
      if (step.error !== undefined) throw new AgentError('upstream_error', `${label} failed mid-stream: ${step.error}`, { retryable: !produced });
      if (step.usage) usage = step.usage;
      const content = step.content !== undefined && step.content !== '' ? step.content : undefined;
      const toolCalls = step.tool_calls !== undefined && step.tool_calls.length > 0 ? step.tool_calls : undefined;
      if (content !== undefined || toolCalls) {
        sink.delta({ ...(content !== undefined ? { content } : {}), ...(toolCalls ? { tool_calls: toolCalls } : {}) });
        produced = true;
        contentChunks++;
      }
      finish = step.finish ?? finish;
      if (step.end) {
        ended = true;
        break;
      }
    }
  } catch (err) {
    if (signal.aborted) throw cancelled(err);
    if (isAgentError(err)) throw err;
    throw new AgentError('upstream_error', `${label}'s stream broke off (${describeNetworkError(err)})`, { retryable: !produced, cause: err });
  }
  if (signal.aborted) throw cancelled(undefined);
  if (!ended && finish === undefined) throw new AgentError('upstream_error', `${label} ended its stream before finishing the response`, { retryable: !produced });
  if (!usage) {
    usage = { prompt_tokens: estimatePromptTokens(request), completion_tokens: contentChunks };
    log.debug('upstream reported no usage; estimated it', { model: request.model, ...usage });
  }
  sink.done(finish ?? 'stop', usage);
}

/** Delivers an embeddings answer: exactly one numeric vector per input, in input order, then `done`. */
export async function relayEmbeddings(dialect: UpstreamDialect, inputs: number, res: Response, sink: EngineSink, signal: AbortSignal): Promise<void> {
  const { label } = dialect.texts;
  let body: unknown;
  try {
    body = await res.json();
  } catch (err) {
    throw signal.aborted ? cancelled(err) : new AgentError('upstream_error', `${label}'s embeddings response is not JSON (${describeNetworkError(err)})`);
  }
  const { vectors, promptTokens } = dialect.embeddings(body);
  const list = Array.isArray(vectors) ? vectors : [];
  if (list.length !== inputs || !list.every((v): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number'))) {
    throw new AgentError('upstream_error', `${label} returned ${list.length} embeddings for ${inputs} inputs, or vectors that are not numbers`);
  }
  sink.result(list);
  sink.done('stop', { prompt_tokens: tokenCount(promptTokens), completion_tokens: 0 });
}

function cancelled(cause: unknown): AgentError {
  return new AgentError('cancelled', 'the request was cancelled', { cause });
}
