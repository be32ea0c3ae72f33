import type { Request, Response, NextFunction } from 'express';
import { HubError } from '../errors/index.ts';
import type { Logger } from '@porten/shared/log';
import { RELEASE_VERSION } from '@porten/shared/version';

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
        message: `internal error (this is a bug in porten-hub ${RELEASE_VERSION}; request id ${requestId}, see the hub log)`,
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
    log.error('unhandled error', { requestId, clientRequestId: res.locals.clientRequestId, err: err instanceof Error ? (err.stack ?? err.message) : String(err) });
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
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    sendError(res, translateFrameworkError(err, req), log, defaultRetryAfterS);
  };
}

/**
 * Errors raised by the HTTP framework and the database driver for what a client sent, given the
 * hub's codes: body-parser's (bad JSON, too large, undecodable Content-Encoding, charset), the
 * router's (a path parameter that is not valid percent-encoding) and PostgreSQL's refusal of text it
 * cannot store (a NUL character that a validator missed). Anything else stays a bug (500).
 */
function translateFrameworkError(err: unknown, req: Request): unknown {
  if (err instanceof HubError || typeof err !== 'object' || err === null) return err;
  const e = err as { type?: string; status?: number; limit?: number; message?: string; code?: string; errno?: number; encoding?: string; charset?: string };
  if (err instanceof URIError) {
    return new HubError('invalid_request_error', 'the request path is not valid percent-encoding (a % must be followed by two hex digits forming UTF-8); fix the URL', { param: 'path' });
  }
  switch (e.type) {
    case 'entity.parse.failed':
      return new HubError('invalid_request_error', `request body is not valid JSON (${e.message ?? 'parse error'}); send a JSON object`);
    case 'entity.too.large':
      return new HubError('request_too_large', `request body is larger than the hub accepts (${e.limit} bytes, after decoding); shorten the request`);
    case 'encoding.unsupported':
      return new HubError('unsupported_media_type', `request body Content-Encoding "${e.encoding ?? '?'}" is not accepted; send it uncompressed or as gzip, deflate or br`);
    case 'charset.unsupported':
      return new HubError('unsupported_media_type', `request body charset "${e.charset ?? '?'}" is not accepted; send UTF-8 JSON`);
    case 'request.size.invalid':
      return new HubError('invalid_request_error', 'request body length does not match its Content-Length header; resend the request');
    case 'request.aborted':
      return new HubError('invalid_request_error', 'the request body ended before it was complete; resend the request');
    default:
      break;
  }
  // zlib's errors (Z_DATA_ERROR, ERR__ERROR_FORMAT_… for brotli) carry a numeric errno and reach us
  // wrapped by body-parser as a 400, only ever for a compressed body.
  const encoding = req.headers['content-encoding'];
  if (e.status === 400 && typeof e.errno === 'number' && encoding !== undefined && encoding !== 'identity') {
    return new HubError('invalid_request_error', `request body is not valid ${encoding} data (${e.message ?? e.code}); compress it as Content-Encoding says, or send it uncompressed`);
  }
  // PostgreSQL: 22021 invalid byte sequence (a NUL in text), 22P05 untranslatable character (jsonb \u0000).
  if (e.code === '22021' || e.code === '22P05') {
    return new HubError('invalid_request_error', 'the request contains text the hub cannot store (a NUL character, \\u0000); remove it');
  }
  return err;
}
