import { execFile, spawn } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyLlama } from '@porten/agent/gguf/writeTinyLlama';
import { fixtureInputs, NODE, portenctl, REPO, snapshotRelease, tempDir, unpinImages } from './airgapFixture.ts';
import { IsolatedMachine, sh } from './isolatedEngine.ts';

/**
 * The air-gap acceptance scenario with real Docker: a full release bundle (every image, the demo
 * model) made on the connected side, then installed on a machine with no route outside it — a
 * network namespace with its own, empty Docker engine — and a node started from the bundle's
 * agent image serving a chat completion to the official openai SDK. The namespace's only way out
 * is counted: the test proves no packet left. Figures are printed for the release notes.
 */
const IMAGES = ['hub', 'agent', 'postgres', 'redis', 'prometheus'];
const PROJECT = 'porten';
const HUB_PORT = '18080';
let dir: string;
let bundle: string;
let keys: Awaited<ReturnType<typeof fixtureInputs>>;
const machine = new IsolatedMachine('porten-airgap-e2e');
const figures: Record<string, unknown> = {};

beforeAll(async () => {
  dir = tempDir('airgap-e2e');
  keys = await fixtureInputs(dir);
  const release = await snapshotRelease(join(dir, 'release'), IMAGES);
  bundle = join(dir, 'porten-0.1.0.tar');
  const t = Date.now();
  const r = await portenctl(['airgap', 'create', '--release', release, '--models', keys.model, '--key', keys.key, '-o', bundle, '--created', '2026-11-01T00:00:00Z']);
  expect(r.stderr + r.stdout).toMatch(/5 images, 1 models/);
  expect(r.code).toBe(0);
  figures.create_seconds = (Date.now() - t) / 1000;
  figures.bundle_bytes = statSync(bundle).size;
  const i = await portenctl(['airgap', 'inspect', bundle, '--json']);
  const m = JSON.parse(i.stdout).manifest as { components: { kind: string; name: string; size: number }[] };
  figures.components = Object.fromEntries(m.components.map((c) => [`${c.kind}:${c.name}`, c.size]));
}, 900_000);

afterAll(async () => {
  await machine.destroy();
  console.log(`air-gap figures: ${JSON.stringify(figures, null, 2)}`);
  if (dir) rmSync(dir, { recursive: true, force: true });
  await unpinImages(IMAGES);
}, 300_000);

describe('air-gap round trip', () => {
  it('verifies in a namespace whose only interface is loopback', async () => {
    await machine.create(false, false);
    expect(await machine.links()).toEqual(['lo']);
    const t = Date.now();
    const r = await portenctl(['airgap', 'verify', bundle, '--pubkey', keys.pub, '--dir', join(dir, 'nosite')], {}, machine.enter);
    expect(r.stdout).toMatch(/^VERIFIED /);
    expect(r.code).toBe(0);
    figures.verify_seconds = (Date.now() - t) / 1000;
    // the same namespace cannot reach anything: an outbound connection fails at once
    const probe = await portenctl(['--version'], {}, machine.enter);
    expect(probe.code).toBe(0);
    const connect = await sh('nsenter', [`--net=/run/netns/${machine.ns}`, NODE, '-e', "require('net').connect(80,'192.0.2.9').on('error',e=>{console.log(e.code)})"]);
    expect(connect.trim()).toBe('ENETUNREACH');
    await machine.destroy();
  }, 300_000);

  it('installs into an empty engine with no route out, and a node from the bundle serves the openai SDK', async () => {
    await machine.create(true);
    const engine = (args: string[]) => sh('docker', ['-H', machine.dockerHost, ...args]);
    expect((await engine(['images', '-q'])).trim()).toBe(''); // nothing but what the bundle brings
    const before = await machine.outboundPackets();
    const site = join(dir, 'site');

    // A failed preflight installs nothing: the hub's port is held by another program.
    const holder = spawn('nsenter', [`--net=/run/netns/${machine.ns}`, NODE, '-e', `require('net').createServer().listen(${HUB_PORT}, '127.0.0.1', () => console.log('listening'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve) => holder.stdout!.once('data', resolve));
    const refused = await portenctl(['airgap', 'install', bundle, '--pubkey', keys.pub, '--dir', site, '--port', HUB_PORT, '--project', PROJECT], { DOCKER_HOST: machine.dockerHost }, machine.enter);
    holder.kill();
    expect(refused.stderr).toMatch(/^portenctl airgap install: preflight failed, nothing was installed: port 18080 on 127\.0\.0\.1 is in use by another program; stop it or pass --port$/m);
    expect(refused.code).toBe(1);
    expect((await engine(['images', '-q'])).trim()).toBe('');
    expect(existsSync(site)).toBe(false);

    const t0 = Date.now();
    const r = await portenctl(['airgap', 'install', bundle, '--pubkey', keys.pub, '--dir', site, '--port', HUB_PORT, '--project', PROJECT], { DOCKER_HOST: machine.dockerHost }, machine.enter);
    expect(r.stdout + r.stderr).toMatch(/^INSTALLED release 0\.1\.0/m);
    expect(r.code).toBe(0);
    figures.install_seconds = (Date.now() - t0) / 1000;
    figures.install_breakdown = r.stdout.trim().split('\n').pop();
    const tags = (await engine(['images', '--format', '{{.Repository}}:{{.Tag}}'])).split('\n');
    for (const name of IMAGES) expect(tags).toContain(`porten/${name}:0.1.0`);

    const scenario = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile('nsenter', [`--net=/run/netns/${machine.ns}`, NODE, join(REPO, 'airgap', 'test', 'siteScenario.ts'), site, join(site, 'release', '0.1.0', 'compose', 'node.yml'), PROJECT, 'demo-chat'], { env: { PATH: `${join(REPO, 'node_modules', '.bin')}:/usr/sbin:/usr/bin:/sbin:/bin`, DOCKER_HOST: machine.dockerHost }, timeout: 600_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
        resolve({ code: err ? 1 : 0, stdout, stderr }),
      ),
    );
    expect(scenario.stderr + (scenario.code === 0 ? '' : scenario.stdout)).toBe('');
    const served = JSON.parse(scenario.stdout.trim().split('\n').pop()!);
    expect(served).toMatchObject({ object: 'chat.completion', region: 'eu', node: expect.any(String) });
    expect(served.installs[0]).toMatchObject({ version: '0.1.0', verification: { result: 'verified' } });
    figures.install_to_first_served_seconds = (served.served_at - t0) / 1000;

    expect(await machine.outboundPackets()).toBe(before); // nothing tried to leave the machine

    // the model mirror: more models later, from a signed model-only bundle, into the running hub
    const more = join(dir, 'more-chat.gguf');
    await writeTinyLlama(more, { seed: 2 });
    const modelsBundle = join(dir, 'models.tar');
    expect((await portenctl(['airgap', 'create', '--models-only', '--models', `more-chat=${more}`, '--key', keys.key, '-o', modelsBundle])).code).toBe(0);
    const mirrored = await portenctl(['airgap', 'install', modelsBundle, '--pubkey', keys.pub, '--dir', site, '--port', HUB_PORT], { DOCKER_HOST: machine.dockerHost }, machine.enter);
    expect(mirrored.stderr).toMatch(/model more-chat: imported into the catalog and mirror/);
    expect(mirrored.stdout + mirrored.stderr).toMatch(/^INSTALLED models/m);
    expect(mirrored.code).toBe(0);

    // a re-run resumes: everything is in place, so it only checks and records
    const again = await portenctl(['airgap', 'install', bundle, '--pubkey', keys.pub, '--dir', site, '--port', HUB_PORT, '--project', PROJECT], { DOCKER_HOST: machine.dockerHost }, machine.enter);
    expect(again.stderr).toMatch(/0 images to load, 5 already loaded/);
    expect(again.code).toBe(0);
    figures.reinstall = again.stdout.trim().split('\n').pop();
    await sh('docker-compose', ['-p', `${PROJECT}-node`, '--env-file', join(site, 'porten.env'), '-f', join(site, 'release', '0.1.0', 'compose', 'node.yml'), 'down', '-v'], { PATH: '/usr/bin:/bin', DOCKER_HOST: machine.dockerHost }).catch(() => {});
    await sh('docker-compose', ['-p', PROJECT, '--env-file', join(site, 'porten.env'), '-f', join(site, 'release', '0.1.0', 'compose', 'platform.yml'), 'down', '-v'], { PATH: '/usr/bin:/bin', DOCKER_HOST: machine.dockerHost }).catch(() => {});
  }, 1_800_000);
});
