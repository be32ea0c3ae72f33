import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../test/support/testHub.ts';

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** A release directory as `npm run build` lays it out: release.json naming each file's sha256. */
function writeRelease(dir: string): { agent: Buffer; payload: Buffer } {
  const agent = Buffer.from('#!/bin/sh\necho "porten 9.9.9 (rev test)"\n');
  const payloadDir = mkdtempSync(join(tmpdir(), 'porten-payload-'));
  writeFileSync(join(payloadDir, 'marker'), 'payload');
  execFileSync('tar', ['-czf', join(dir, 'porten-payload.tar.gz'), '-C', payloadDir, '.']);
  rmSync(payloadDir, { recursive: true });
  writeFileSync(join(dir, 'porten'), agent, { mode: 0o755 });
  const payload = execFileSync('cat', [join(dir, 'porten-payload.tar.gz')]);
  const files = { porten: { sha256: sha256(agent), size: agent.length }, 'porten-payload.tar.gz': { sha256: sha256(payload), size: payload.length } };
  writeFileSync(join(dir, 'release.json'), JSON.stringify({ version: '9.9.9', revision: 'test', files, images: {} }));
  return { agent, payload };
}

function runShell(script: string, env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
    child.on('error', reject).on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(script);
  });
}

function get(url: string, host?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: host === undefined ? {} : { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject).end();
  });
}

describe('node installation from the hub', () => {
  let hub: TestHub;
  let bare: TestHub;
  let releaseDir: string;
  let release: { agent: Buffer; payload: Buffer };

  beforeAll(async () => {
    releaseDir = mkdtempSync(join(tmpdir(), 'porten-release-'));
    release = writeRelease(releaseDir);
    hub = await startTestHub({ HUB_RELEASE_DIR: releaseDir });
    bare = await startTestHub();
  });
  afterAll(async () => {
    await hub?.close();
    await bare?.close();
    rmSync(releaseDir, { recursive: true, force: true });
  });

  it('serves a valid POSIX sh installer that points back at the address it was fetched from', async () => {
    const res = await get(`${hub.url}/install.sh`);
    expect(res.status).toBe(200);
    expect(res.body).toContain(`HUB="\${PORTEN_HUB_URL:-${hub.url}}"`);
    expect(res.body).toContain('release 9.9.9');
    const check = spawnSync('sh', ['-n'], { input: res.body, encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('falls back to HUB_PUBLIC_URL when the Host header is not a plain host:port', async () => {
    const res = await get(`${hub.url}/install.sh`, 'evil$(pwned):80');
    expect(res.status).toBe(200);
    expect(res.body).not.toContain('pwned');
    expect(res.body).toContain(`HUB="\${PORTEN_HUB_URL:-${hub.config.publicUrl}}"`);
  });

  it('serves the agent files and SHA256SUMS taken from the release manifest', async () => {
    const sums = await get(`${hub.url}/install/SHA256SUMS`);
    expect(sums.body).toBe(`${sha256(release.agent)}  porten\n${sha256(release.payload)}  porten-payload.tar.gz\n`);
    const agent = await fetch(`${hub.url}/install/porten`);
    expect(Buffer.from(await agent.arrayBuffer()).equals(release.agent)).toBe(true);
    const manifest = await fetch(`${hub.url}/install/release.json`);
    expect(((await manifest.json()) as { version: string }).version).toBe('9.9.9');
  });

  it('answers 404 in the OpenAI error shape when the hub has no release to serve', async () => {
    for (const path of ['/install.sh', '/install/porten', '/install/SHA256SUMS']) {
      const res = await get(`${bare.url}${path}`);
      expect(res.status).toBe(404);
      expect(JSON.parse(res.body).error).toMatchObject({
        code: 'not_found',
        message: 'this hub serves no agent release: HUB_RELEASE_DIR is not set (the porten/hub image sets it to /opt/porten/release)',
      });
    }
  });

  it('the installer refuses a tampered agent download and installs nothing', async () => {
    const prefix = mkdtempSync(join(tmpdir(), 'porten-prefix-'));
    const bin = mkdtempSync(join(tmpdir(), 'porten-bin-'));
    appendFileSync(join(releaseDir, 'porten'), 'tampered'); // the file on the hub no longer matches release.json
    try {
      const script = (await get(`${hub.url}/install.sh`)).body;
      // Asynchronously: the hub answering the script's downloads runs in this process.
      const run = await runShell(script, { PATH: '/usr/bin:/bin', PORTEN_PREFIX: prefix, PORTEN_BIN_DIR: bin, HOME: prefix });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('porten: FAILED');
      expect(run.stderr).toContain(
        "porten install: the downloaded agent does not match the hub's release manifest (sha256); nothing was installed.",
      );
      expect(readdirSync(prefix)).toEqual([]); // no binary, no payload, no staging left behind
      expect(readdirSync(bin)).toEqual([]);
    } finally {
      writeFileSync(join(releaseDir, 'porten'), release.agent);
      rmSync(prefix, { recursive: true, force: true });
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
