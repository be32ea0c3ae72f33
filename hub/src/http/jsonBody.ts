import express, { type RequestHandler } from 'express';
import { HubError } from '../errors/index.ts';
import { bodyDepthProblem } from '@porten/shared/protocol';

/**
 * Content-Encodings a request body may arrive in. The decoded body is held to the same size limit as
 * a plain one (body-parser counts decoded bytes), so a decompression bomb ends in 413 after at most
 * `limit` bytes were inflated. Anything else is refused with 415 before a byte is read.
 */
export const ACCEPTED_CONTENT_ENCODINGS = ['identity', 'gzip', 'deflate', 'br'] as const;

export interface JsonBodyOptions {
  /** Largest decoded body, in bytes. */
  limit: number | string;
  /** Only objects and arrays at the top level (the OpenAI API); false lets the validator explain. */
  strict: boolean;
  /**
   * Which requests carry JSON: every one (the OpenAI API, whose SDKs always send JSON), or by default
   * only `Content-Type: application/json` (the admin API also takes binary weight uploads).
   */
  anyContentType?: boolean;
}

/**
 * The one JSON body reader of the hub (OpenAI API, admin API, enrollment): an encoding gate (the rule
 * explicit and the same on every surface, whatever the body-parser version decodes on its own), the
 * parser (its errors are translated to hub codes by http/errorResponse.ts), and the nesting limit.
 */
export function jsonBody(opts: JsonBodyOptions): RequestHandler[] {
  const parse = express.json({ limit: opts.limit, strict: opts.strict, ...(opts.anyContentType ? { type: () => true } : {}) });
  const gate: RequestHandler = (req, _res, next) => {
    if (!opts.anyContentType && !req.is('application/json')) return next();
    const given = req.headers['content-encoding'];
    if (given === undefined) return next();
    const encoding = given.trim().toLowerCase();
    if (!(ACCEPTED_CONTENT_ENCODINGS as readonly string[]).includes(encoding)) {
      return next(
        new HubError(
          'unsupported_media_type',
          `request body Content-Encoding "${given.slice(0, 40)}" is not accepted; send the body uncompressed or as one of ${ACCEPTED_CONTENT_ENCODINGS.filter((e) => e !== 'identity').join(', ')}`,
        ),
      );
    }
    // body-parser reads the header itself: hand it the normalised spelling ("GZIP " → "gzip").
    req.headers['content-encoding'] = encoding;
    next();
  };
  // Nesting is bounded on every surface (protocol/requestLimits.ts): deep values cost stack in every
  // later reader — validators, the audit store, an engine process's IPC.
  const depth: RequestHandler = (req, _res, next) => {
    const problem = bodyDepthProblem(req.body);
    next(problem ? new HubError('invalid_request_error', problem.message, { param: problem.param }) : undefined);
  };
  return [gate, parse, depth];
}
