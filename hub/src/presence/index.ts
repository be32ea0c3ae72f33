export { PresenceStore, type Presence } from './presenceStore.ts';
export { RedisHealth } from './redisHealth.ts';
