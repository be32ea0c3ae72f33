/**
 * `npm start` (until the Compose appliance lands): a local Porten site on this machine.
 *   1. PostgreSQL and Redis from Debian packages, data under .porten/, on 127.0.0.1 only;
 *   2. the hub: migrations, then `porten-hub serve` on 127.0.0.1:8080 in the background;
 *   3. a demo org, a catalog entry and a sovereign key (fleet: own, regions: [eu]);
 *   4. one request with that key — no node of the org is online, so the hub refuses it with
 *      503 no_available_node instead of sending it anywhere else: the fail-closed guarantee.
 * Re-running reuses what is already running. `npm run stop` stops everything (data kept).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PATHS, PORTS, SITE_DIR, daemon, ensureDir, isRunning, persistentSecret, pgBin, pgUser } from './localSite.ts';

const step = (msg: string) => process.stdout.write(`\x1b[1m==>\x1b[0m ${msg}\n`);
const hubUrl = `http://127.0.0.1:${PORTS.hub}`;

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what} did not come up within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function startPostgres(): void {
  const user = pgUser();
  ensureDir(SITE_DIR);
  ensureDir(PATHS.pgSocket, user);
  if (!existsSync(join(PATHS.pgData, 'PG_VERSION'))) {
    step('initialising PostgreSQL in .porten/postgres');
    ensureDir(PATHS.pgData, user);
    execFileSync(pgBin('initdb'), ['-D', PATHS.pgData, '-U', 'postgres', '--auth=trust', '-E', 'UTF8'], { stdio: 'ignore', ...user });
    writeFileSync(
      join(PATHS.pgData, 'postgresql.auto.conf'),
      `listen_addresses = '127.0.0.1'\nport = ${PORTS.postgres}\nunix_socket_directories = '${PATHS.pgSocket}'\n`,
    );
  }
  const status = (() => {
    try {
      execFileSync(pgBin('pg_ctl'), ['-D', PATHS.pgData, 'status'], { stdio: 'ignore', ...user });
      return true;
    } catch {
      return false;
    }
  })();
  if (status) {
    step(`PostgreSQL already running on 127.0.0.1:${PORTS.postgres}`);
    return;
  }
  step(`starting PostgreSQL on 127.0.0.1:${PORTS.postgres}`);
  if (user && !existsSync(PATHS.pgLog)) writeFileSync(PATHS.pgLog, '');
  if (user) execFileSync('chown', [`${user.uid}:${user.gid}`, PATHS.pgLog]);
  execFileSync(pgBin('pg_ctl'), ['-D', PATHS.pgData, '-l', PATHS.pgLog, '-w', 'start'], { stdio: 'ignore', ...user });
}

function startRedis(): void {
  ensureDir(PATHS.redisDir);
  if (isRunning(PATHS.redisPid)) {
    step(`Redis already running on 127.0.0.1:${PORTS.redis}`);
    return;
  }
  step(`starting Redis on 127.0.0.1:${PORTS.redis}`);
  execFileSync('redis-server', [
    '--port', String(PORTS.redis), '--bind', '127.0.0.1', '--daemonize', 'yes', '--dir', PATHS.redisDir,
    '--pidfile', PATHS.redisPid, '--logfile', join(PATHS.redisDir, 'redis.log'), '--save', '60 1',
  ]);
}

function ensureDatabase(): void {
  const user = pgUser();
  const psql = (sql: string) =>
    execFileSync(pgBin('psql'), ['-h', '127.0.0.1', '-p', String(PORTS.postgres), '-U', 'postgres', '-tAc', sql], { ...user }).toString().trim();
  if (psql(`select 1 from pg_database where datname = 'porten'`) !== '1') psql('create database porten');
}

async function api(path: string, token: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${hubUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: await res.json().catch(() => null) };
}

async function main(): Promise<void> {
  startPostgres();
  startRedis();
  ensureDatabase();
  const adminToken = persistentSecret(PATHS.adminToken, 'porten-admin-');
  const env = {
    PATH: process.env.PATH ?? '',
    HUB_DATABASE_URL: `postgres://postgres@127.0.0.1:${PORTS.postgres}/porten`,
    HUB_REDIS_URL: `redis://127.0.0.1:${PORTS.redis}`,
    HUB_PORT: String(PORTS.hub),
    HUB_ADMIN_TOKEN_FILE: PATHS.adminToken,
    HUB_BLOB_DIR: PATHS.blobs,
  };
  const main = join(import.meta.dirname, '..', '..', 'hub', 'src', 'main.ts');
  step('applying database migrations');
  execFileSync(process.execPath, [main, 'migrate'], { env, stdio: 'inherit' });

  if (isRunning(PATHS.hubPid)) {
    step(`hub already running (pid ${readFileSync(PATHS.hubPid, 'utf8').trim()})`);
  } else {
    step(`starting the hub on ${hubUrl} (log: .porten/hub.log)`);
    const pid = daemon(process.execPath, [main, 'serve'], env, PATHS.hubLog);
    writeFileSync(PATHS.hubPid, `${pid}\n`);
  }
  await waitFor('the hub', () => fetch(`${hubUrl}/readyz`).then((r) => r.ok, () => false));

  step('creating the demo organization, a catalog entry and a sovereign key');
  const orgs = (await api('/admin/v1/orgs', adminToken)).json.data as { id: string; name: string }[];
  const org = orgs.find((o) => o.name === 'demo') ?? (await api('/admin/v1/orgs', adminToken, { name: 'demo' })).json;
  const models = (await api('/admin/v1/models', adminToken)).json.data as { id: string }[];
  if (!models.some((m) => m.id === 'demo-chat')) {
    const m = await api('/admin/v1/models', adminToken, { id: 'demo-chat', format: 'external', context_length: 4096, capabilities: ['chat'], memory_mb: 0, enabled: true });
    if (m.status >= 300) throw new Error(`could not create the demo model: ${JSON.stringify(m.json)}`);
  }
  let quick: Record<string, unknown> = existsSync(PATHS.quickstart) ? JSON.parse(readFileSync(PATHS.quickstart, 'utf8')) : {};
  if (typeof quick.api_key !== 'string') {
    const key = await api('/admin/v1/keys', adminToken, { org_id: org.id, name: 'sovereign demo key', fleet: 'own', regions: ['eu'], min_trust: null, models: null });
    if (key.status >= 300) throw new Error(`could not create the demo key: ${JSON.stringify(key.json)}`);
    quick = { hub_url: hubUrl, api_key: key.json.key, admin_token: adminToken, model: 'demo-chat', org_id: org.id };
    writeFileSync(PATHS.quickstart, JSON.stringify(quick, null, 2) + '\n', { mode: 0o600 });
  }

  step('sending a chat completion with the sovereign key (fleet: own, regions: [eu])');
  const res = await fetch(`${hubUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${quick.api_key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'demo-chat', messages: [{ role: 'user', content: 'Hello from a sovereign site' }] }),
  });
  const body = await res.text();
  if (res.status === 200) {
    console.log(`    served by node ${res.headers.get('x-porten-node')} in region ${res.headers.get('x-porten-region')}`);
  } else {
    console.log(`    ${res.status} ${body}`);
    console.log('    ↑ fail closed: no node of the demo org is online in the EU, so the request went nowhere.');
  }

  console.log(`
Porten hub is running at ${hubUrl}
  admin token        .porten/admin-token   (role admin; keep it secret)
  quick-start data   .porten/quickstart.json (hub_url, api_key, admin_token, model)
  approve nodes      ${hubUrl}/nodes/approve
  call the API       curl ${hubUrl}/v1/models -H "Authorization: Bearer ${quick.api_key}"
  admin API          docs/admin-api.md      OpenAI API: docs/api.md
  stop               npm run stop           (data in .porten/ is kept)
`);
}

main().catch((err: Error) => {
  console.error(`npm start failed: ${err.message}`);
  console.error('Logs: .porten/hub.log, .porten/postgres.log, .porten/redis/redis.log');
  process.exit(1);
});
