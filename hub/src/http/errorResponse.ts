import type { Request, Response, NextFunction } from 'express';
import { HubError } from '../errors/index.ts';
import type { Logger } from '../log/logger.ts';
import { HUB_VERSION } from '../version.ts';

export interface OpenAIErrorBody {
  error: { message: string; type: string; code: string; param: string | null };
}

/** Converts anything thrown into the OpenAI error shape. Unknown errors are bugs: logged with the request id. */
export function toErrorBody(err: unknown, requestId: string): { status: number; body: OpenAIErrorBody; retryAfterS?: number } {
  if (err instanceof HubError) {
    return {
      status: err.status,
      body: { error: { message: err.message, type: err.type, code: err.code, param: err.param } },
      ...(err.retryAfterS !== undefined ? { retryAfterS: err.retryAfterS } : {}),
    };
  }
  return {
    status: 500,
    body: {
      error: {
        message: `internal error (this is a bug in porten-hub ${HUB_VERSION}; request id ${requestId}, see the hub log)`,
        type: 'server_error',
        code: 'internal_error',
        param: null,
      },
    },
  };
}

/**
 * Writes `err` as the response. Every 503 carries Retry-After (the error's own, else `defaultRetryAfterS`),
 * so clients back off instead of hammering a site whose compliant nodes are down.
 */
export function sendError(res: Response, err: unknown, log: Logger, defaultRetryAfterS = 5): void {
  const requestId = String(res.locals.requestId ?? '-');
  const { status, body, retryAfterS } = toErrorBody(err, requestId);
  res.locals.errorCode = body.error.code; // read by the request metrics (api/requestMetrics.ts)
  if (status >= 500 && !(err instanceof HubError)) {
    log.error('unhandled error', { requestId, err: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  }
  if (res.headersSent) {
    res.end();
    return;
  }
  const retry = retryAfterS ?? (status === 503 ? defaultRetryAfterS : undefined);
  if (retry !== undefined) res.setHeader('Retry-After', String(retry));
  res.status(status).json(body);
}

/** Express error middleware: the single place thrown errors become HTTP responses. */
export function errorMiddleware(log: Logger, defaultRetryAfterS: number) {
  return (err: unknown, _req: Request, res: Response, _next: NextFunction): void => {
    sendError(res, translateBodyParserError(err), log, defaultRetryAfterS);
  };
}

/** express.json() throws its own errors for bad JSON and big bodies; give them our codes. */
function translateBodyParserError(err: unknown): unknown {
  if (err instanceof HubError || typeof err !== 'object' || err === null) return err;
  const e = err as { type?: string; status?: number; limit?: number; message?: string };
  switch (e.type) {
    case 'entity.parse.failed':
      return new HubError('invalid_request_error', `request body is not valid JSON (${e.message ?? 'parse error'}); send a JSON object`);
    case 'entity.too.large':
      return new HubError('request_too_large', `request body is larger than the hub accepts (${e.limit} bytes); shorten the request`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HubError('unsupported_media_type', 'request body must be UTF-8 JSON');
    default:
      return err;
  }
}
