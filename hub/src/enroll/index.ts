export { createEnrollRouter, POLL_INTERVAL_S, type EnrollRouterOptions } from './enrollRouter.ts';
export { IpRateLimiter } from './ipRateLimiter.ts';
