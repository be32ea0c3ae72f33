import { copyFileSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyLlama } from '@porten/agent/gguf/writeTinyLlama';
import { bringUpPlatform } from '@porten/airgap/site/platform';
import { ensureCatalogModel } from '@porten/airgap/site/catalogModel';
import { approveNodeByName, ensureOrg, waitNodeOnline } from '@porten/airgap/site/siteAdmin';
import { runTool } from '@porten/airgap/site/runTool';
import { COMPOSE_FILES, ComposeProject } from '@porten/airgap/site/composeProject';
import { pollUntil } from '@porten/airgap/site/pollUntil';
import { siteEnvPath, writeSiteSecret } from '@porten/airgap/site/siteEnv';
import { REPO, VERSION, dockerExec, startTestSite, type TestSite } from './applianceSite.ts';

const MINUTES = 60_000;

/**
 * The appliance as a site runs it, with a real Docker engine: the platform stack from the release
 * images (hub, PostgreSQL, Redis), a node in a container enrolled through the operator's approval,
 * requests through the official openai SDK; data surviving `down`/`up`; the databases sealed in
 * their internal network; and a clean Debian container made a node by the hub's install.sh.
 */
describe('appliance: compose stacks from the release images', () => {
  let site: TestSite;
  let openai: OpenAI;
  let orgId: string;
  let nodeId: string;
  let work: string;

  beforeAll(async () => {
    site = await startTestSite();
    work = mkdtempSync(join(tmpdir(), 'porten-appliance-'));
    const gguf = join(work, 'tiny.gguf');
    await writeTinyLlama(gguf, { seed: 3 });
    await ensureCatalogModel(site.admin, 'tiny-chat', gguf);
    orgId = (await ensureOrg(site.admin, 'clinic')).id;
    const key = await site.admin.post('/keys', { org_id: orgId, name: 'sovereign', fleet: 'own', regions: ['eu'], min_trust: 'trusted', models: null });
    openai = new OpenAI({ baseURL: `${site.platform.hubUrl}/v1`, apiKey: key.key, maxRetries: 0 });
  }, 10 * MINUTES);

  afterAll(async () => {
    await site?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  }, 5 * MINUTES);

  const chat = () => openai.chat.completions.create({ model: 'tiny-chat', messages: [{ role: 'user', content: 'hello' }], max_tokens: 8, seed: 1 }).withResponse();

  it('a node container enrolls with the operator\'s approval and serves a chat completion through the hub (openai SDK)', async () => {
    await site.nodes.up();
    nodeId = await approveNodeByName(site.admin, 'node-1', { org_id: orgId, region: 'eu', trust_class: 'trusted' }, 3 * MINUTES);
    await waitNodeOnline(site.admin, nodeId, true, 2 * MINUTES);
    const { data, response } = await chat();
    expect(response.status).toBe(200);
    expect(response.headers.get('x-porten-node')).toBe(nodeId);
    expect(response.headers.get('x-porten-region')).toBe('eu');
    expect(data.choices[0]!.message.role).toBe('assistant');
    expect(data.usage!.completion_tokens).toBeGreaterThan(0);
    // The hub container runs the executable with no Node.js in the image.
    const hub = await site.platform.stack.containerId('hub');
    const node = await runTool('docker', ['exec', hub, 'node', '--version']);
    expect(node.code).not.toBe(0);
    expect(`${node.stdout}${node.stderr}`).toMatch(/"node": executable file not found/);
  }, 6 * MINUTES);

  it('PostgreSQL and Redis are published nowhere and unreachable from outside their internal network', async () => {
    for (const service of ['postgres', 'redis']) {
      const id = await site.platform.stack.containerId(service);
      expect((await runTool('docker', ['port', id])).stdout.trim()).toBe('');
    }
    const pgIp = (await runTool('docker', ['inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}} {{end}}', await site.platform.stack.containerId('postgres')])).stdout.trim();
    expect(pgIp.split(' ')).toHaveLength(1); // on the internal network only
    // A machine on the edge network (where nodes and the hub meet) can neither resolve nor reach them.
    const probe = await site.runOnEdge([`porten/nodehost-test:${VERSION}`, 'sleep', '600']);
    const byName = await dockerExec(probe, ['curl', '-sS', '--max-time', '3', 'telnet://postgres:5432']);
    expect(byName.code).toBe(6); // could not resolve host
    const byIp = await dockerExec(probe, ['curl', '-sS', '--max-time', '3', `telnet://${pgIp}:5432`]);
    expect([7, 28]).toContain(byIp.code); // could not connect / timed out
    const redisByName = await dockerExec(probe, ['curl', '-sS', '--max-time', '3', 'telnet://redis:6379']);
    expect(redisByName.code).toBe(6);
    // The hub itself is reachable there (nodes connect to it).
    expect((await dockerExec(probe, ['curl', '-fsS', '--max-time', '5', 'http://hub:8080/healthz'])).code).toBe(0);
  }, 3 * MINUTES);

  it('install.sh from the hub turns a clean Debian container (no Node.js) into an approved node that serves; a tampered agent is refused', async () => {
    const machine = await site.runOnEdge(['--hostname', 'installed-node', `porten/nodehost-test:${VERSION}`, 'sleep', 'infinity']);
    expect((await dockerExec(machine, ['sh', '-c', 'command -v node'])).code).not.toBe(0);
    const install = dockerExec(machine, ['sh', '-c', 'curl -fsSL http://hub:8080/install.sh | sh']);
    const installedId = await approveNodeByName(site.admin, 'installed-node', { org_id: orgId, region: 'eu', trust_class: 'trusted' }, 3 * MINUTES);
    const result = await install;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('checksums match the release manifest');
    await waitNodeOnline(site.admin, installedId, true, 2 * MINUTES);
    // Only the installed node is online now: the request must be served by it.
    await site.nodes.stop();
    await waitNodeOnline(site.admin, nodeId, false, MINUTES);
    const { response } = await chat();
    expect(response.headers.get('x-porten-node')).toBe(installedId);

    // Tamper with the agent the hub hands out: a second clean machine refuses it and installs nothing.
    const hub = await site.platform.stack.containerId('hub');
    const tampered = join(work, 'porten');
    copyFileSync(join(REPO, 'dist', 'porten'), tampered);
    writeFileSync(tampered, Buffer.concat([readFileSync(tampered), Buffer.from('tampered')]));
    expect((await runTool('docker', ['cp', tampered, `${hub}:/opt/porten/release/porten`])).code).toBe(0);
    try {
      const clean = await site.runOnEdge([`porten/nodehost-test:${VERSION}`, 'sleep', 'infinity']);
      const refused = await dockerExec(clean, ['sh', '-c', 'curl -fsSL http://hub:8080/install.sh | sh']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("porten install: the downloaded agent does not match the hub's release manifest (sha256); nothing was installed.");
      expect((await dockerExec(clean, ['sh', '-c', 'test -e /opt/porten/porten || test -e /usr/local/bin/porten || test -d /opt/porten/porten-payload'])).code).toBe(1);
    } finally {
      await runTool('docker', ['cp', join(REPO, 'dist', 'porten'), `${hub}:/opt/porten/release/porten`]);
    }
    await site.nodes.start();
  }, 8 * MINUTES);

  it('the monitoring overlay: Prometheus scrapes the hub\'s /metrics with the auditor token', async () => {
    const token = await site.admin.post('/tokens', { name: 'prometheus', role: 'auditor' });
    writeSiteSecret(site.siteDir, 'metrics-token', token.token);
    const monitored = new ComposeProject(site.platform.compose, site.project, siteEnvPath(site.siteDir), [COMPOSE_FILES.platform, COMPOSE_FILES.monitoring]);
    await monitored.up(['prometheus']);
    try {
      const prometheus = await monitored.containerId('prometheus');
      const value = await pollUntil(
        'Prometheus scraping the hub',
        async () => {
          const q = await runTool('docker', ['exec', prometheus, 'promtool', 'query', 'instant', 'http://127.0.0.1:9090', 'up{job="porten-hub"}']);
          return /=> 1 @/.test(q.stdout) ? q.stdout : undefined;
        },
        2 * MINUTES,
        'see the prometheus container log',
        2000,
      );
      expect(value).toContain('up{instance="hub:8080", job="porten-hub"} => 1');
      const requests = await runTool('docker', ['exec', prometheus, 'promtool', 'query', 'instant', 'http://127.0.0.1:9090', 'sum(porten_hub_requests_total)']);
      expect(requests.stdout).toMatch(/=> [1-9]\d* @/); // the chat completions above were counted
    } finally {
      await monitored.run(['rm', '-s', '-f', 'prometheus']);
    }
  }, 4 * MINUTES);

  it('PostgreSQL data survives down and up; the enrolled node comes back with its credential and serves', async () => {
    await site.removeExtraContainers();
    await site.nodes.down();
    await site.platform.stack.down();
    expect(await site.platform.stack.containerId('postgres')).toBe('');
    await bringUpPlatform({ siteDir: site.siteDir, project: site.project, version: site.platform.settings.PORTEN_VERSION, hubPort: Number(site.platform.settings.PORTEN_HUB_PORT) });
    const orgs = (await site.admin.get('/orgs')).data;
    expect(orgs.map((o: { id: string }) => o.id)).toContain(orgId);
    const audit = await site.admin.get('/audit/verify');
    expect(audit.ok).toBe(true);
    await site.nodes.up();
    await waitNodeOnline(site.admin, nodeId, true, 2 * MINUTES);
    const { response } = await chat();
    expect(response.status).toBe(200);
  }, 8 * MINUTES);
});
