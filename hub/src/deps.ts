import type pg from 'pg';
import type { Redis } from 'ioredis';
import type { AuditLog } from './audit/index.ts';
import type { HubConfig } from './config/index.ts';
import type { EventBus } from './events/index.ts';
import type { Logger } from '@porten/shared/log';
import type { HubMetrics } from './metrics/index.ts';
import type { PresenceStore, RedisHealth } from './presence/index.ts';

/** The hub's shared parts, built once in hub.ts (the composition root) and passed explicitly. */
export interface HubDeps {
  config: HubConfig;
  log: Logger;
  pool: pg.Pool;
  redis: Redis;
  events: EventBus;
  metrics: HubMetrics;
  audit: AuditLog;
  presence: PresenceStore;
  redisHealth: RedisHealth;
}
