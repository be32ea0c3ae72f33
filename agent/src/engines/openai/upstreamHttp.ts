import { AgentError, describeNetworkError } from '../../errors/index.ts';

/** Where and how to reach the upstream: its API root (ending in e.g. `/v1`) and an optional bearer key. */
export interface Upstream {
  baseUrl: string;
  apiKey: string | undefined;
}

/**
 * One HTTP call to the upstream. Resolves with a 2xx response (body unread); otherwise rejects with
 * an AgentError that says whether another node could serve the request:
 *   connection refused / reset / DNS / timeout → upstream_unreachable (retryable)
 *   400, 413, 422                              → invalid_request (the hub answers the client 400)
 *   404                                        → model_not_served (retryable: the upstream lacks it)
 *   any other status (401, 429, 5xx …)          → upstream_error (retryable: nothing was produced)
 */
export async function callUpstream(up: Upstream, method: 'GET' | 'POST', path: string, body: unknown, signal: AbortSignal): Promise<Response> {
  const url = `${up.baseUrl}${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: {
        accept: body === undefined ? 'application/json' : 'application/json, text/event-stream',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(up.apiKey ? { authorization: `Bearer ${up.apiKey}` } : {}),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal,
    });
  } catch (err) {
    if (signal.aborted && (signal.reason as Error | undefined)?.name !== 'TimeoutError') throw new AgentError('cancelled', 'the request was cancelled', { cause: err });
    throw new AgentError('upstream_unreachable', `the upstream at ${up.baseUrl} cannot be reached (${describeNetworkError(err)})`, { cause: err });
  }
  if (res.ok) return res;
  const detail = await errorDetail(res);
  const what = `the upstream answered ${res.status} to ${method} ${path}${detail ? `: ${detail}` : ''}`;
  if (res.status === 400 || res.status === 413 || res.status === 422) throw new AgentError('invalid_request', detail || what);
  if (res.status === 404) throw new AgentError('model_not_served', what);
  throw new AgentError('upstream_error', what, { retryable: true });
}

/** The `error.message` of an OpenAI-style error body, else the first 300 characters of the body. */
async function errorDetail(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
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
