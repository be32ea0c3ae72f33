import express, { Router } from 'express';
import { jsonBody } from '../http/jsonBody.ts';
import type { HubDeps } from '../deps.ts';
import { HubError } from '../errors/index.ts';
import { enrollments } from '../store/index.ts';
import { parseBody } from '../validation/bodyRules.ts';
import { enrollBody, pollBody } from './enrollBodies.ts';
import { IpRateLimiter } from './ipRateLimiter.ts';

/** Seconds an agent waits between polls (RFC 8628 `interval`). */
export const POLL_INTERVAL_S = 2;

export interface EnrollRouterOptions {
  /** Enrollment requests allowed per client address per window (default 10 per minute). */
  enrollLimit?: { max: number; windowMs: number };
}

/**
 * The node side of device-code enrollment (RFC 8628 in spirit), unauthenticated by design:
 *   POST /v1/nodes/enroll       {name, inventory} → user code + verification URL + poll token
 *   POST /v1/nodes/enroll/poll  {poll_token} → 428 authorization_pending | 403 enrollment_denied |
 *                               410 enrollment_expired | 200 {node_id, credential} exactly once
 * The poll token is the agent's secret (only its hash is stored); the credential is minted at the
 * poll that collects it. Enrolling grants nothing until an operator approves the code, so the only
 * abuse to stop is flooding the approval queue: a per-address rate limit on enroll.
 */
export function createEnrollRouter(deps: HubDeps, opts: EnrollRouterOptions = {}): Router {
  const router = Router();
  const limiter = new IpRateLimiter(opts.enrollLimit ?? { max: 10, windowMs: 60_000 });
  const json = jsonBody({ limit: '32kb', strict: false });

  const rateLimit = (req: express.Request, _res: express.Response, next: express.NextFunction): void => {
    const verdict = limiter.take(req.socket.remoteAddress ?? 'unknown');
    if (!verdict.allowed) {
      throw new HubError('rate_limit_exceeded', `too many enrollment requests from this address; retry in ${verdict.retryAfterS}s`, {
        retryAfterS: verdict.retryAfterS,
      });
    }
    next();
  };

  router.post('/v1/nodes/enroll', rateLimit, ...json, async (req, res) => {
    const body = parseBody(req.body, enrollBody);
    const ttlS = deps.config.enrollmentTtlS;
    const { enrollment, pollSecret } = await enrollments.createEnrollment(deps.pool, { name: body.name, inventory: body.inventory, ttlS });
    const verificationUri = `${deps.config.publicUrl}/nodes/approve`;
    deps.log.info('node enrollment started', { user_code: enrollment.user_code, name: enrollment.name, from: req.socket.remoteAddress });
    res.json({
      user_code: enrollment.user_code,
      verification_uri: verificationUri,
      verification_uri_complete: `${verificationUri}?code=${encodeURIComponent(enrollment.user_code)}`,
      poll_token: pollSecret,
      interval: POLL_INTERVAL_S,
      expires_in: ttlS,
    });
  });

  router.post('/v1/nodes/enroll/poll', ...json, async (req, res) => {
    const body = parseBody(req.body, pollBody);
    const result = await enrollments.pollEnrollment(deps.pool, body.poll_token);
    deps.log.info('node credential issued', { node_id: result.node.id });
    res.json({ node_id: result.node.id, credential: result.credential });
  });

  return router;
}
