export { EventBus, type HubEvent } from './eventBus.ts';
export { createRedis } from './redisConnection.ts';
