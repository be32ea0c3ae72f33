import { Redis } from 'ioredis';

/**
 * A Redis connection that fails fast instead of queueing: with Redis down, a command rejects at once
 * (no offline queue, no per-request retries) so the caller can refuse the request — fail closed —
 * while the client keeps reconnecting in the background and recovers by itself.
 */
export function createRedis(url: string): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 2000,
    commandTimeout: 2000,
    retryStrategy: (times) => Math.min(100 * times, 1000),
    lazyConnect: true,
  });
  redis.on('error', () => undefined); // state is observed through command failures and `status`
  return redis;
}
