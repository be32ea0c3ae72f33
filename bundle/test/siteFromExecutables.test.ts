import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startExecutable, runExecutable, type AgentRun } from '@porten/agent/cli/agentProcess';
import { writeTinyLlama } from '@porten/agent/gguf';
import { client, type Client } from '@porten/hub/testing/adminTestClient';
import { knownMigrations } from '@porten/hub/db/migrations';
import { putWeights } from '@porten/hub/testing/mirrorTestSupport';
import { waitFor } from '@porten/hub/testing/fixtures';
import { freePort } from '@porten/testkit/freePort';
import type { ReleaseManifest } from '../src/releaseManifest.ts';
import { copyRelease, ensureBuilt, minimalEnv, unpackPayload } from './builtRelease.ts';

const MODEL = 'tiny-sea';
const echo = !!process.env.PORTEN_TEST_LOG;

/**
 * A site made only of the built executables, in a fresh folder outside the repository with no
 * node_modules and no Node on the PATH: `porten-hub migrate` on an empty database (the migrations
 * come from inside the binary), `porten-hub serve` (its console page too), then `porten login`
 * approved through the admin API and `porten run` serving a generated GGUF with llama.cpp from the
 * unpacked payload, asked through the official openai SDK.
 */
describe('a site from the built executables alone', () => {
  let manifest: ReleaseManifest;
  let dir: string;
  let databaseUrl: string;
  let dropDatabase: () => Promise<void>;
  let hubUrl: string;
  let hubEnv: Record<string, string>;
  let hub: AgentRun | undefined;
  let agent: AgentRun | undefined;
  let admin: Client;
  const adminToken = `porten-admin-${randomBytes(18).toString('base64url')}`;

  beforeAll(async () => {
    manifest = ensureBuilt();
    dir = copyRelease(['porten-hub', 'porten'], 'porten-site-');
    unpackPayload(dir);

    const server = inject('postgresUrl');
    const name = `porten_sea_${randomBytes(6).toString('hex')}`;
    const c = new pg.Client({ connectionString: server });
    await c.connect();
    await c.query(`create database ${name}`);
    await c.end();
    databaseUrl = server.replace(/\/[^/]*$/, `/${name}`);
    dropDatabase = async () => {
      const d = new pg.Client({ connectionString: server });
      await d.connect();
      await d.query(`drop database if exists ${name} with (force)`);
      await d.end();
    };

    const port = await freePort();
    hubUrl = `http://127.0.0.1:${port}`;
    hubEnv = minimalEnv({
      HUB_DATABASE_URL: databaseUrl,
      HUB_REDIS_URL: inject('redisUrl'),
      HUB_REDIS_KEY_PREFIX: `sea${randomBytes(4).toString('hex')}:`,
      HUB_HOST: '127.0.0.1',
      HUB_PORT: String(port),
      HUB_PUBLIC_URL: hubUrl,
      HUB_BLOB_DIR: join(dir, 'blobs'),
      HUB_ADMIN_TOKEN: adminToken,
      HUB_HEARTBEAT_INTERVAL_MS: '200',
      HUB_PRESENCE_TTL_MS: '1000',
      HUB_METRICS_AUTH: 'none',
      HUB_LOG_LEVEL: echo ? 'debug' : 'warn',
    });
    admin = client(hubUrl, adminToken);
  }, 600_000);

  afterAll(async () => {
    agent?.kill('SIGKILL');
    hub?.kill('SIGKILL');
    await Promise.all([agent?.exited, hub?.exited]);
    await dropDatabase?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('the release folder holds the two executables and the payload, nothing else (no .sql, no node_modules)', () => {
    expect(readdirSync(dir).sort()).toEqual(['porten', 'porten-hub', 'porten-payload']);
    expect(readdirSync(join(dir, 'porten-payload'))).toEqual(['node_modules']);
  });

  it('porten-hub migrate applies the migrations embedded in the binary to an empty database', async () => {
    const r = await runExecutable(join(dir, 'porten-hub'), ['migrate'], hubEnv, { cwd: dir });
    // Every migration the source knows, from inside the binary (no .sql or module files beside it).
    const known = knownMigrations().map((m) => `${m.version}_${m.name}`).join(', ');
    expect(r, r.stderr).toMatchObject({ code: 0, stdout: `porten-hub: applied ${known}\n` });
  });

  it('porten-hub serve answers readyz, serves its console page from the binary and runs on the embedded Node', { timeout: 60_000 }, async () => {
    hub = startExecutable(join(dir, 'porten-hub'), ['serve'], hubEnv, { cwd: dir, echo });
    await waitFor(async () => (await fetch(`${hubUrl}/readyz`).catch(() => undefined))?.status === 200, 'porten-hub to be ready', 30_000);

    const page = await fetch(`${hubUrl}/nodes/approve?code=ABCD-EFGH`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<h1>Approve a node</h1>');
    const metrics = await (await fetch(`${hubUrl}/metrics`)).text();
    expect(metrics).toContain(`porten_hub_nodejs_version_info{version="${manifest.node_version}"`);
  });

  it('porten login → approved, porten run → llama.cpp from the payload serves a chat completion through the hub', { timeout: 240_000 }, async () => {
    const org = await admin.post('/orgs', { name: 'SEA clinic' });
    expect(org.status, JSON.stringify(org.body)).toBe(201);
    const key = await admin.post('/keys', { org_id: org.body.id, name: 'sea key', fleet: 'own', regions: ['eu'] });
    expect(key.status, JSON.stringify(key.body)).toBe(201);
    const model = await writeTinyLlama(join(dir, 'tiny.gguf'), { seed: 11 });
    const imported = await putWeights(hubUrl, adminToken, MODEL, readFileSync(model.path), { query: { capabilities: 'chat,completions', context_length: '512' } });
    expect(imported.status, JSON.stringify(imported.body)).toBe(201);

    const home = join(dir, 'home');
    const agentEnv = minimalEnv({ PORTEN_HOME: home, PORTEN_THREADS: '1', PORTEN_VRAM_BUDGET_MB: '1024' });
    const login = startExecutable(join(dir, 'porten'), ['login', '--hub', hubUrl, '--name', 'sea-node'], agentEnv, { cwd: dir });
    await login.waitForOutput(/waiting for an operator/, 30_000);
    const code = /code ([A-Z2-9]{4}-[A-Z2-9]{4})/.exec(login.stdout())?.[1];
    expect(code, login.stdout()).toBeDefined();
    const approved = await admin.post(`/enrollments/${code}/approve`, { org_id: org.body.id, region: 'eu', trust_class: 'trusted' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(await login.exited, login.stderr()).toBe(0);
    const nodeId: string = approved.body.node_id;

    agent = startExecutable(join(dir, 'porten'), ['run'], agentEnv, { cwd: dir, echo });
    await waitFor(async () => (await admin.get(`/nodes/${nodeId}`)).body.online === true, 'the agent online', 30_000);

    const openai = new OpenAI({ baseURL: `${hubUrl}/v1`, apiKey: key.body.key, maxRetries: 0, timeout: 180_000 });
    const { data, response } = await openai.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hello' }], max_tokens: 8 }).withResponse();
    expect(response.headers.get('x-porten-node')).toBe(nodeId);
    expect(response.headers.get('x-porten-region')).toBe('eu');
    expect(typeof data.choices[0]!.message.content).toBe('string');
    expect(data.usage!.completion_tokens).toBeGreaterThan(0);
    expect(data.usage!.completion_tokens).toBeLessThanOrEqual(8);

    // llama.cpp ran in the agent executable started again as its engine child.
    const children = execFileSync('ps', ['-o', 'args=', '--ppid', String(agent.child.pid)], { encoding: 'utf8' });
    expect(children).toContain(`${join(dir, 'porten')} __engine-child`);

    agent.kill('SIGTERM');
    expect(await agent.exited, agent.stderr()).toBe(0);
    hub!.kill('SIGTERM');
    expect(await hub!.exited, hub!.stderr()).toBe(0);
  });
});
