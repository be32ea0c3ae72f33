import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, type Client } from '@porten/hub/testing/adminTestClient';
import { waitFor } from '@porten/hub/testing/fixtures';
import { startTestHub, type TestHub } from '@porten/hub/testing/testHub';
import { runAgent, startAgent } from './agentProcess.ts';

const freshHome = () => join(mkdtempSync(join(tmpdir(), 'porten-login-')), 'home');
const envFor = (home: string) => ({ PATH: process.env.PATH ?? '', PORTEN_HOME: home });
const codeIn = (stdout: string) => /code ([A-Z2-9]{4}-[A-Z2-9]{4})/.exec(stdout)?.[1];

/** `porten login` against a real hub: the operator decides through the admin API, as in the console. */
describe('porten login (real hub, real PostgreSQL)', () => {
  let hub: TestHub;
  let admin: Client;
  let orgId: string;

  beforeAll(async () => {
    hub = await startTestHub();
    admin = client(hub.url, hub.adminToken);
    orgId = (await admin.post('/orgs', { name: 'Clinic' })).body.id;
  });
  afterAll(async () => {
    await hub?.close();
  });

  it('prints the code and approval URL, waits, and stores the credential 0600 once an operator approves', async () => {
    const home = freshHome();
    const agent = startAgent(['login', '--hub', hub.url, '--name', 'gpu-01'], envFor(home));
    await agent.waitForOutput(/waiting for an operator/);
    const code = codeIn(agent.stdout());
    expect(code, agent.stdout()).toBeDefined();
    expect(agent.stdout()).toContain(`${hub.config.publicUrl}/nodes/approve?code=${code}`);

    const pending = (await admin.get('/enrollments?status=pending')).body.data.find((e: { user_code: string }) => e.user_code === code);
    expect(pending).toMatchObject({ name: 'gpu-01', inventory: { cpu: { cores: expect.any(Number) }, memory_mb: expect.any(Number), gpus: expect.any(Array), engine: 'builtin' } });
    const approved = await admin.post(`/enrollments/${code}/approve`, { org_id: orgId, region: 'eu-north', trust_class: 'trusted' });
    expect(approved.status).toBe(200);

    expect(await agent.exited).toBe(0);
    expect(agent.stderr()).toBe('');
    expect(agent.stdout()).toContain(`node ${approved.body.node_id}`);
    const file = join(home, 'credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(readFileSync(file, 'utf8'));
    expect(stored).toEqual({ hub_url: hub.url, node_id: approved.body.node_id, credential: expect.stringMatching(/^porten-node-/) });

    // A second login on an enrolled machine is refused with one line.
    const again = await runAgent(['login', '--hub', hub.url], envFor(home));
    expect(again.code).toBe(1);
    expect(again.stderr.trim().split('\n')).toEqual([expect.stringContaining(`already node ${approved.body.node_id}`)]);

    // logout deletes it; logout again has nothing to do.
    const out = await runAgent(['logout'], envFor(home));
    expect(out.code).toBe(0);
    expect(() => statSync(file)).toThrow();
    expect((await runAgent(['logout'], envFor(home))).stdout).toContain('not logged in');
  });

  it('run --enroll enrolls an unenrolled machine with PORTEN_HUB_URL first, then serves (the container path)', async () => {
    const home = freshHome();
    // The openai engine against a closed port: enough to connect; this test is about enrollment.
    const env = { ...envFor(home), PORTEN_HUB_URL: hub.url, PORTEN_ENGINE: 'openai', PORTEN_UPSTREAM_URL: 'http://127.0.0.1:9/v1', PORTEN_UPSTREAM_MODELS: 'm1=m1' };
    const agent = startAgent(['run', '--enroll'], env);
    try {
      await agent.waitForOutput(/waiting for an operator/);
      const code = codeIn(agent.stdout());
      const approved = await admin.post(`/enrollments/${code}/approve`, { org_id: orgId, region: 'eu', trust_class: 'trusted' });
      expect(approved.status).toBe(200);
      await waitFor(async () => (await admin.get(`/nodes/${approved.body.node_id}`)).body.online === true, 'the enrolled agent online', 15_000);
      expect(JSON.parse(readFileSync(join(home, 'credentials.json'), 'utf8')).node_id).toBe(approved.body.node_id);
    } finally {
      agent.kill('SIGTERM');
      await agent.exited;
    }
    // Enrolled now: run --enroll is a plain run (no new code, no new enrollment).
    const pendingBefore = (await admin.get('/enrollments?status=pending')).body.data.length;
    const again = startAgent(['run', '--enroll'], env);
    try {
      await again.waitForOutput(/porten agent starting/);
      expect(again.stdout()).not.toMatch(/code [A-Z2-9]{4}-/);
      expect((await admin.get('/enrollments?status=pending')).body.data.length).toBe(pendingBefore);
    } finally {
      again.kill('SIGTERM');
      await again.exited;
    }
  });

  it('a denied enrollment ends with exactly one line on stderr and a non-zero exit, storing nothing', async () => {
    const home = freshHome();
    const agent = startAgent(['login', '--hub', hub.url], envFor(home));
    await agent.waitForOutput(/waiting for an operator/);
    const code = codeIn(agent.stdout());
    expect((await admin.post(`/enrollments/${code}/deny`)).status).toBe(200);
    expect(await agent.exited).toBe(1);
    expect(agent.stderr().trim().split('\n')).toEqual([`porten: an operator denied the enrollment of code ${code}; ask the operator why, then run \`porten login\` again`]);
    expect(() => statSync(join(home, 'credentials.json'))).toThrow();
  });

  it('an expired enrollment ends with one line and a non-zero exit', async () => {
    const home = freshHome();
    const agent = startAgent(['login', '--hub', hub.url], envFor(home));
    await agent.waitForOutput(/waiting for an operator/);
    const code = codeIn(agent.stdout());
    await hub.hub.deps.pool.query(`update enrollments set expires_at = now() - interval '1 second' where user_code = $1`, [code]);
    expect(await agent.exited).toBe(1);
    expect(agent.stderr().trim().split('\n')).toEqual([expect.stringMatching(/^porten: the enrollment code .* expired before an operator approved it; run `porten login` again/)]);
  });

  it('an unreachable hub is one line and exit 1', async () => {
    const r = await runAgent(['login', '--hub', 'http://127.0.0.1:59999'], envFor(freshHome()));
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual(['porten: cannot reach the hub at http://127.0.0.1:59999 (ECONNREFUSED); check the hub URL and that the hub is running and reachable from this machine']);
    expect(r.stdout).toBe('');
  });

  it('bad flags and commands are one line and exit 2', async () => {
    const env = envFor(freshHome());
    const cases: [string[], RegExp][] = [
      [['login'], /needs the hub's address/],
      [['login', '--hub'], /argument missing; usage: porten login --hub URL/],
      [['login', '--hub', 'hub.example'], /--hub=hub.example is not a URL/],
      [['login', '--hub', hub.url, '--colour'], /Unknown option '--colour'/],
      [['frobnicate'], /unknown command "frobnicate"/],
      [['service', 'remove'], /unknown service command "remove"/],
      [['run', 'now'], /Unexpected argument 'now'/],
    ];
    const results = await Promise.all(cases.map(([args]) => runAgent(args, env)));
    cases.forEach(([args, pattern], i) => {
      const r = results[i]!;
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stderr.trim().split('\n'), args.join(' ')).toEqual([expect.stringMatching(pattern)]);
    });
  });

  it('commands that need a credential say how to get one (exit 3)', async () => {
    for (const cmd of ['run', 'status']) {
      const r = await runAgent([cmd], envFor(freshHome()));
      expect(r.code).toBe(3);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining('run `porten login --hub URL` first')]);
    }
  });
});
