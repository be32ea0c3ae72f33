import { AgentError, describeNetworkError } from '../../errors/index.ts';
import type { UpstreamTexts } from './types.ts';

/** Where and how to reach the upstream: its API root (e.g. `…/v1`, or an Ollama daemon's root), an optional bearer key, and how messages name it. */
export interface Upstream {
  baseUrl: string;
  apiKey: string | undefined;
  texts: UpstreamTexts;
}

/**
 * One HTTP call to the upstream. Resolves with a 2xx response (body unread); otherwise rejects with
 * an AgentError that says whether another node could serve the request:
 *   connection refused / reset / DNS / timeout → upstream_unreachable (retryable), with what to do
 *   400, 413, 422                              → invalid_request (the hub answers the client 400)
 *   404                                        → model_not_served (retryable: the upstream lacks it)
 *   any other status (401, 429, 5xx …)          → upstream_error (retryable: nothing was produced)
 * Aborting `signal` rejects with `cancelled`, except a timeout signal, which counts as unreachable.
 */
export async function callUpstream(up: Upstream, method: 'GET' | 'POST', path: string, body: unknown, signal: AbortSignal): Promise<Response> {
  const url = `${up.baseUrl}${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        accept: body === undefined ? 'application/json' : 'application/json, text/event-stream, application/x-ndjson',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(up.apiKey ? { authorization: `Bearer ${up.apiKey}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal,
    });
  } catch (err) {
    if (signal.aborted && (signal.reason as Error | undefined)?.name !== 'TimeoutError') throw new AgentError('cancelled', 'the request was cancelled', { cause: err });
    throw new AgentError('upstream_unreachable', `${up.texts.label} at ${up.baseUrl} cannot be reached (${describeNetworkError(err)}); ${up.texts.unreachableHint}`, { cause: err });
  }
  if (res.ok) return res;
  throw upstreamFailure(up.texts, `${method} ${path}`, res.status, await res.text().catch(() => ''));
}

/**
 * The AgentError for an upstream's error answer (see callUpstream for the mapping), with the
 * upstream's own message: OpenAI `{error: {message}}`, Ollama `{error: "…"}`, or `{message}` — else
 * the first 300 characters of the body.
 */
export function upstreamFailure(texts: UpstreamTexts, call: string, status: number, body: string): AgentError {
  const detail = errorDetail(body);
  const what = `${texts.label} answered ${status} to ${call}${detail ? `: ${detail}` : ''}`;
  if (status === 400 || status === 413 || status === 422) return new AgentError('invalid_request', detail || what);
  if (status === 404) return new AgentError('model_not_served', what);
  return new AgentError('upstream_error', what, { retryable: true });
}

function errorDetail(text: string): string {
  try {
    const v = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof v.error === 'object' && typeof v.error?.message === 'string') return v.error.message;
    if (typeof v.error === 'string') return v.error;
    if (typeof v.message === 'string') return v.message;
  } catch {
    /* not JSON */
  }
  return text.trim().slice(0, 300);
}
