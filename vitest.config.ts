import { defineConfig } from 'vitest/config';

// One runner for the whole repository. Integration tests get real PostgreSQL and Redis servers
// started once by the global setup (scripts/testkit/globalSetup.ts) on free loopback ports; each
// test file creates its own database and Redis key prefix from them, so files run in parallel.
export default defineConfig({
  test: {
    include: ['hub/**/*.test.ts', 'agent/**/*.test.ts', 'bundle/**/*.test.ts', 'airgap/**/*.test.ts', 'scripts/**/*.test.ts'],
    globalSetup: ['scripts/testkit/globalSetup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
