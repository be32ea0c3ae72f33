import type { TestProject } from 'vitest/node';
import { startPostgres } from './postgresServer.ts';
import { startRedis } from './redisServer.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    redisUrl: string;
  }
}

/** Starts one PostgreSQL and one Redis for the whole run; test files isolate inside them. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
  project.provide('postgresUrl', postgres.url);
  project.provide('redisUrl', redis.url);
  return async () => {
    await Promise.all([postgres.destroy(), redis.destroy()]);
  };
}
