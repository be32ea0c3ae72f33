import { randomBytes } from 'node:crypto';
import type { Request, Response, NextFunction } from 'express';

/** What a client's own request id may look like to be echoed and logged: short, no spaces or quotes. */
export const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The hub's request id: `req_` and 128 random bits (base64url). Unguessable and unique per request
 * on every replica; the tunnel stream ids (`<request id>.<attempt>`) and audit records are keyed
 * by it, so no client can name — or collide with — another request's stream or records.
 */
export function newRequestId(): string {
  return `req_${randomBytes(16).toString('base64url')}`;
}

/**
 * Every request gets the hub's own id (`res.locals.requestId`, echoed as `x-request-id`). A client's
 * id — `x-client-request-id` (the OpenAI SDKs' header) or `x-request-id` — is kept for correlation
 * only: echoed as `x-client-request-id`, logged, recorded in the audit detail, never used as a key.
 * One that does not match CLIENT_REQUEST_ID is dropped (not echoed): the request is still served.
 */
export function requestId(req: Request, res: Response, next: NextFunction): void {
  const id = newRequestId();
  res.locals.requestId = id;
  res.setHeader('x-request-id', id);
  const given = req.header('x-client-request-id') ?? req.header('x-request-id');
  if (given !== undefined && CLIENT_REQUEST_ID.test(given)) {
    res.locals.clientRequestId = given;
    res.setHeader('x-client-request-id', given);
  }
  next();
}
