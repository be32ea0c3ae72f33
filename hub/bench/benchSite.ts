import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { freePort } from '@porten/testkit/freePort';
import { startPostgres } from '@porten/testkit/postgresServer';
import { startRedis } from '@porten/testkit/redisServer';
import { generateSecret, SECRET_PREFIX } from '../src/auth/secrets.ts';
import { migrate } from '../src/db/migrate.ts';
import { createPool } from '../src/db/pool.ts';
import { keys, nodes, orgs, type Queryable } from '../src/store/index.ts';

export interface BenchSiteOptions {
  /** PostgreSQL with fsync and synchronous commit (honest audit figures). Default true. */
  durable?: boolean;
  /** Extra HUB_* settings for the hub process. */
  hubEnv?: Record<string, string>;
  /** Extra Node flags for the hub process (e.g. --cpu-prof). */
  nodeFlags?: string[];
  /** More seed data (catalog entries …), written before the hub starts. */
  seed?: (db: Queryable) => Promise<void>;
}

export interface BenchSite {
  url: string;
  adminToken: string;
  /** The approved node `bench-node` (org `bench`, region eu, trust trusted) and its credential. */
  nodeId: string;
  credential: string;
  /** An API key of org `bench`: fleet own, regions [eu], min trust trusted. */
  secret: string;
  /** The hub process's id (for CPU accounting). */
  hubPid: number;
  /** Stops the hub (SIGTERM, SIGKILL after 10 s) and the servers. Idempotent. */
  stop(): Promise<void>;
}

/**
 * What both benchmarks stand on: real PostgreSQL and Redis on loopback, a migrated database seeded
 * with one org, one approved node and one sovereign key, and the hub as its own process
 * (`node hub/src/main.ts serve`), ready.
 */
export async function startBenchSite(options: BenchSiteOptions = {}): Promise<BenchSite> {
  const [pgServer, redis] = await Promise.all([startPostgres({ durable: options.durable ?? true }), startRedis()]);
  let hub: ChildProcess | undefined;
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (hub && hub.exitCode === null && hub.signalCode === null) {
        const exited = new Promise((r) => hub!.once('exit', r));
        hub.kill('SIGTERM');
        const timer = setTimeout(() => hub!.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await Promise.all([pgServer.destroy(), redis.destroy()]);
    })());
  try {
    const dbUrl = pgServer.url.replace(/\/postgres$/, '/porten');
    const admin = new pg.Client({ connectionString: pgServer.url });
    await admin.connect();
    await admin.query('create database porten');
    await admin.end();
    const pool = createPool(dbUrl, 2);
    await migrate(pool);
    const org = await orgs.createOrg(pool, 'bench');
    const node = await nodes.insertNode(pool, { org_id: org.id, name: 'bench-node', region: 'eu', trust_class: 'trusted', inventory: {}, approved_by: 'bench' });
    const credential = generateSecret(SECRET_PREFIX.node);
    await nodes.setNodeCredential(pool, node.id, credential);
    const secret = generateSecret(SECRET_PREFIX.apiKey);
    await keys.insertKey(pool, { org_id: org.id, name: 'bench', secret, fleet: 'own', regions: ['eu'], min_trust: 'trusted', models: null });
    await options.seed?.(pool);
    await pool.end();

    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const adminToken = `porten-admin-${randomBytes(18).toString('base64url')}`;
    hub = spawn(process.execPath, [...(options.nodeFlags ?? []), new URL('../src/main.ts', import.meta.url).pathname, 'serve'], {
      env: {
        PATH: process.env.PATH ?? '',
        HUB_DATABASE_URL: dbUrl,
        HUB_REDIS_URL: redis.url,
        HUB_PORT: String(port),
        HUB_PUBLIC_URL: url,
        HUB_ADMIN_TOKEN: adminToken,
        HUB_LOG_LEVEL: 'warn',
        ...options.hubEnv,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    for (let i = 0; ; i++) {
      if (await fetch(`${url}/readyz`).then((r) => r.ok, () => false)) break;
      if (hub.exitCode !== null || i > 200) throw new Error('the hub did not become ready');
      await new Promise((r) => setTimeout(r, 100));
    }
    return { url, adminToken, nodeId: node.id, credential, secret, hubPid: hub.pid!, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
