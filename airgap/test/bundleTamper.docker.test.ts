import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryHead } from './entryHead.ts';
import { entryOffsets, fixtureInputs, snapshotRelease, unpinImages, flipByte, portenctl, readByte, tempDir, writeByte } from './airgapFixture.ts';

/**
 * A small real bundle (the release's executables from dist/, the real porten/redis image, a tiny
 * GGUF) altered one way at a time: each alteration is refused with a message naming what failed,
 * and the site folder verify/install would use is never created.
 */
let dir: string;
let bundle: string;
let keys: Awaited<ReturnType<typeof fixtureInputs>>;
let site: string;
let release: string;
const CREATED = '2026-11-01T00:00:00Z';
const PIN = 'porten-airgaptest-tamper';

const create = (out: string, extra: string[] = []) =>
  portenctl(['airgap', 'create', '--release', release, '--images', 'redis', '--models', keys.model, '--key', keys.key, '-o', out, '--created', CREATED, ...extra]);
const verify = (path: string, extra: string[] = []) => portenctl(['airgap', 'verify', path, '--pubkey', keys.pub, '--dir', site, ...extra]);
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

async function expectRefused(path: string, message: RegExp, extra: string[] = []): Promise<void> {
  const r = await verify(path, extra);
  expect(r.stderr).toMatch(message);
  expect(r.code).toBe(1);
  expect(r.stdout).not.toMatch(/VERIFIED/);
  // install refuses the same way, before it touches Docker or the site folder (no engine here).
  const i = await portenctl(['airgap', 'install', path, '--pubkey', keys.pub, '--dir', site, ...extra], { DOCKER_HOST: 'unix:///nonexistent/docker.sock' });
  expect(i.stderr).toMatch(message);
  expect(i.code).toBe(1);
  expect(existsSync(site)).toBe(false);
}

beforeAll(async () => {
  dir = tempDir('airgap-tamper');
  site = join(dir, 'site');
  keys = await fixtureInputs(dir);
  release = await snapshotRelease(join(dir, 'release'), ['redis'], PIN);
  bundle = join(dir, 'bundle.tar');
  const r = await create(bundle);
  expect(r.stderr + r.stdout).toMatch(/1 images, 1 models/);
  expect(r.code).toBe(0);
}, 180_000);

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  await unpinImages(['redis'], PIN);
});

describe('portenctl airgap verify', () => {
  it('verifies an untouched bundle offline and prints a report an auditor can keep', async () => {
    const r = await verify(bundle, ['--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ result: 'verified', kind: 'release', parts: 1, installed_version: null, signer_key_id: report.public_key_id });
    expect(report.bundle_sha256).toBe(sha(bundle));
    expect(report.files.map((f: { path: string }) => f.path)).toEqual(expect.arrayContaining(['bin/porten-hub', 'bin/porten', 'images/redis.tar', 'sbom.cdx.json', 'compose/platform.yml']));
    expect(existsSync(site)).toBe(false);
  }, 60_000);

  it('is deterministic: the same inputs and creation time give the same bytes', async () => {
    const again = join(dir, 'again.tar');
    expect((await create(again)).code).toBe(0);
    expect(sha(again)).toBe(sha(bundle));
  }, 120_000);

  it('refuses a flipped byte in an image layer, naming the image file', async () => {
    const e = (await entryOffsets(bundle)).get('images/redis.tar')!;
    const at = e.offset + Math.floor(e.size / 2); // inside the base layer, the image's bulk
    flipByte(bundle, at);
    try {
      await expectRefused(bundle, /^portenctl airgap (verify|install): images\/redis\.tar: sha256 [0-9a-f]{16}… ≠ [0-9a-f]{16}… in checksums\.txt: the file was altered or damaged in transfer/m);
    } finally {
      flipByte(bundle, at);
    }
  }, 60_000);

  it('refuses a flipped byte in a model blob', async () => {
    const e = [...(await entryOffsets(bundle))].find(([p]) => p.startsWith('models/'))!;
    flipByte(bundle, e[1].offset + 4096);
    try {
      await expectRefused(bundle, /models\/sha256-[0-9a-f]{64}\.gguf: sha256 .* the file was altered or damaged/);
    } finally {
      flipByte(bundle, e[1].offset + 4096);
    }
  }, 60_000);

  it('refuses a flipped byte in the manifest: the signature no longer holds', async () => {
    const e = (await entryOffsets(bundle)).get('manifest.json')!;
    flipByte(bundle, e.offset + 40);
    try {
      await expectRefused(bundle, /manifest\.sig does not verify manifest\.json with the public key .*release\.pub \(key id [0-9a-f]{16}\): the bundle was not signed with this site's release key, or its manifest was altered; do not install it/);
    } finally {
      flipByte(bundle, e.offset + 40);
    }
  }, 60_000);

  it('refuses a changed checksum line: checksums.txt no longer has the pinned sha256', async () => {
    const e = (await entryOffsets(bundle)).get('checksums.txt')!;
    const before = readByte(bundle, e.offset);
    writeByte(bundle, e.offset, before === 0x61 ? 0x62 : 0x61); // still a hex digit: the line parses
    try {
      await expectRefused(bundle, /checksums\.txt does not match the sha256 the signed manifest pins .*: a checksum line was altered; do not install it/);
    } finally {
      writeByte(bundle, e.offset, before);
    }
  }, 60_000);

  it('refuses an added file', async () => {
    const size = statSync(bundle).size;
    truncateSync(bundle, size - 1024); // drop the end-of-archive blocks, append an entry, end again
    appendFileSync(bundle, Buffer.concat([entryHead('bin/extra-tool', 5), Buffer.from('hello'), Buffer.alloc(507), Buffer.alloc(1024)]));
    try {
      await expectRefused(bundle, /bin\/extra-tool is in the bundle but not in checksums\.txt: a file was added after signing; do not install it/);
    } finally {
      truncateSync(bundle, size - 1024);
      appendFileSync(bundle, Buffer.alloc(1024));
    }
    expect(sha(bundle)).toBe(sha(join(dir, 'again.tar')));
  }, 60_000);

  it('refuses a bundle signed with another key', async () => {
    const r = await portenctl(['airgap', 'verify', bundle, '--pubkey', keys.otherPub, '--dir', site]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/manifest\.sig does not verify manifest\.json with the public key .*other\.pub \(key id [0-9a-f]{16}\): the bundle was not signed with this site's release key/);
    expect(existsSync(site)).toBe(false);
  }, 60_000);

  it('refuses an expired bundle', async () => {
    const old = join(dir, 'expired.tar');
    const r = await portenctl(['airgap', 'create', '--release', release, '--images', '', '--key', keys.key, '-o', old, '--created', '2020-01-01T00:00:00Z', '--expires-in-days', '30']);
    expect(r.code).toBe(0);
    await expectRefused(old, /the bundle expired on 2020-01-31T00:00:00\.000Z \(created 2020-01-01T00:00:00\.000Z\); ask the release signer for a current bundle/);
  }, 120_000);

  it('refuses a bundle older than the installed version unless --allow-downgrade', async () => {
    const other = join(dir, 'site-newer');
    mkdirSync(other);
    writeFileSync(join(other, 'install-record.json'), JSON.stringify({ version: '9.9.0', kind: 'release' }));
    const r = await portenctl(['airgap', 'verify', bundle, '--pubkey', keys.pub, '--dir', other]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the bundle holds version 0\.1\.0, older than the installed 9\.9\.0; pass --allow-downgrade to install it anyway/);
    const forced = await portenctl(['airgap', 'verify', bundle, '--pubkey', keys.pub, '--dir', other, '--allow-downgrade']);
    expect(forced.stdout).toMatch(/installed version 9\.9\.0 \(downgrade allowed\)/);
    expect(forced.code).toBe(0);
  }, 60_000);
});

describe('bundles split into parts', () => {
  let first: string;
  let count: number;
  const part = (i: number) => join(dir, 'split', `bundle.tar.part-${String(i).padStart(4, '0')}-of-${String(count).padStart(4, '0')}`);
  beforeAll(async () => {
    const r = await create(join(dir, 'split', 'bundle.tar'), ['--split', '100M']);
    expect(r.code).toBe(0);
    count = Math.ceil(statSync(bundle).size / (100 * 1024 * 1024));
    expect(count).toBeGreaterThanOrEqual(4);
    first = part(1);
  }, 180_000);

  it('are verified by reading the parts in sequence: the same bytes as the whole bundle', async () => {
    const r = await verify(first, ['--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ parts: count, bundle_sha256: sha(bundle) });
    const i = await portenctl(['airgap', 'inspect', first]);
    expect(i.stdout).toMatch(new RegExp(`release bundle 0\\.1\\.0 .* in ${count} parts`));
    expect(i.stdout).toMatch(/image +porten-airgaptest-tamper\/redis:0\.1\.0/);
    expect(i.stdout).toMatch(/sbom +\d+ components: \d+ npm packages, \d+ Debian packages/);
  }, 60_000);

  it('refuse a missing part, naming it', async () => {
    const third = part(3);
    renameSync(third, `${third}.away`);
    try {
      await expectRefused(first, new RegExp(`the bundle is incomplete: part 3 of ${count} \\(bundle\\.tar\\.part-0003-of-${String(count).padStart(4, "0")}\\) is missing from .*; copy every part into the same folder`));
    } finally {
      renameSync(`${third}.away`, third);
    }
  }, 60_000);
});
