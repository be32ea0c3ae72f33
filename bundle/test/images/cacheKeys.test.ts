/**
 * The cache keys and the mmdebstrap invocation, without docker: a key changes exactly when one of
 * its own inputs changes, so editing one image's files rebuilds that image only, and a new binary
 * in dist/ never re-runs mmdebstrap.
 */
import { chmodSync, cpSync, mkdtempSync, rmSync, writeFileSync, mkdirSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageKey, rootfsKey } from '../../src/images/cacheKeys.ts';
import { IMAGES_DIR } from '../../src/images/buildOptions.ts';
import { parseArgs } from '../../src/images/buildImagesCli.ts';
import { selectSpecs } from '../../src/images/buildImages.ts';
import { IMAGE_SPECS, ROOTFS_SPECS, rootfsSpec } from '../../src/images/imageSpecs.ts';
import { BundleError } from '../../src/bundleError.ts';
import { mmdebstrapArgs, rootfsRecipe } from '../../src/images/rootfsRecipe.ts';
import type { ImageSpec } from '../../src/images/types.ts';

let work: string;
let imagesCopy: string;
let dist: string;

/** A dist/ of small stand-in files: keys only hash content, so they need not be real executables. */
function writeFakeDist(dir: string): void {
  mkdirSync(join(dir, 'porten-payload', 'node_modules', 'node-llama-cpp'), { recursive: true });
  writeFileSync(join(dir, 'porten-hub'), 'hub binary v1');
  writeFileSync(join(dir, 'porten'), 'agent binary v1');
  writeFileSync(join(dir, 'porten-payload.tar.gz'), 'payload archive');
  writeFileSync(join(dir, 'porten-payload', 'node_modules', 'node-llama-cpp', 'package.json'), '{}');
  writeFileSync(join(dir, 'release.json'), JSON.stringify({ version: '0.1.0', files: {}, images: {} }));
}

async function keysOf(imagesDir: string, distDir: string, version = '1.2.3'): Promise<Record<string, { rootfs: string; image: string }>> {
  const rootfs = new Map<string, string>();
  for (const spec of ROOTFS_SPECS) rootfs.set(spec.name, await rootfsKey(rootfsRecipe(spec), imagesDir));
  const out: Record<string, { rootfs: string; image: string }> = {};
  for (const spec of IMAGE_SPECS) {
    const r = rootfs.get(spec.rootfs) as string;
    out[spec.name] = { rootfs: r, image: await imageKey({ spec, version, rootfsKey: r, imagesDir, distDir }) };
  }
  return out;
}

/** Names of the images whose image key differs between two key sets. */
function changedImages(a: Awaited<ReturnType<typeof keysOf>>, b: Awaited<ReturnType<typeof keysOf>>): string[] {
  return Object.keys(a).filter((n) => a[n]?.image !== b[n]?.image).sort();
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'porten-image-keys-'));
  imagesCopy = join(work, 'images');
  cpSync(IMAGES_DIR, imagesCopy, { recursive: true, filter: (src) => !src.includes('.cache') });
  dist = join(work, 'dist');
  writeFakeDist(dist);
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('cache keys', () => {
  it('are stable: the same inputs give the same keys, wherever the checkout lives', async () => {
    const here = await keysOf(IMAGES_DIR, dist);
    const copy = await keysOf(imagesCopy, dist);
    expect(copy).toEqual(here);
  });

  it('an edited postgres entrypoint changes only porten/postgres, and no rootfs', async () => {
    const before = await keysOf(imagesCopy, dist);
    appendFileSync(join(imagesCopy, 'postgres', 'entrypoint.sh'), '\n# edited\n');
    const after = await keysOf(imagesCopy, dist);
    expect(changedImages(before, after)).toEqual(['postgres']);
    for (const name of Object.keys(before)) expect(after[name]?.rootfs).toBe(before[name]?.rootfs);
  });

  it('the executable bit of an entrypoint is an input', async () => {
    const before = await keysOf(imagesCopy, dist);
    chmodSync(join(imagesCopy, 'redis', 'entrypoint.sh'), 0o644);
    const after = await keysOf(imagesCopy, dist);
    chmodSync(join(imagesCopy, 'redis', 'entrypoint.sh'), 0o755);
    expect(changedImages(before, after)).toEqual(['redis']);
  });

  it('a new hub binary changes only porten/hub, and keeps its rootfs (mmdebstrap does not run again)', async () => {
    const before = await keysOf(imagesCopy, dist);
    writeFileSync(join(dist, 'porten-hub'), 'hub binary v2');
    const after = await keysOf(imagesCopy, dist);
    writeFileSync(join(dist, 'porten-hub'), 'hub binary v1');
    expect(changedImages(before, after)).toEqual(['hub']);
    expect(after.hub?.rootfs).toBe(before.hub?.rootfs);
  });

  it('a new agent binary changes the agent image and the hub image (which serves it to nodes)', async () => {
    const before = await keysOf(imagesCopy, dist);
    writeFileSync(join(dist, 'porten'), 'agent binary v2');
    const after = await keysOf(imagesCopy, dist);
    writeFileSync(join(dist, 'porten'), 'agent binary v1');
    expect(changedImages(before, after)).toEqual(['agent', 'hub']);
  });

  it('image ids recorded in release.json do not change the hub key (no rebuild loop)', async () => {
    const before = await keysOf(imagesCopy, dist);
    writeFileSync(join(dist, 'release.json'), JSON.stringify({ version: '0.1.0', files: {}, images: { hub: { id: 'sha256:x', tag: 'porten/hub:0.1.0' } } }));
    const after = await keysOf(imagesCopy, dist);
    expect(changedImages(before, after)).toEqual([]);
  });

  it('the release version changes every image key but no rootfs key', async () => {
    const v1 = await keysOf(imagesCopy, dist, '1.2.3');
    const v2 = await keysOf(imagesCopy, dist, '1.2.4');
    expect(changedImages(v1, v2)).toEqual(IMAGE_SPECS.map((s) => s.name).sort());
    for (const name of Object.keys(v1)) expect(v2[name]?.rootfs).toBe(v1[name]?.rootfs);
  });

  it('a changed package request or hook script changes the rootfs keys that use it, and only those', async () => {
    const redis = rootfsSpec('redis');
    const base = await rootfsKey(rootfsRecipe(redis), imagesCopy);
    expect(await rootfsKey(rootfsRecipe({ ...redis, include: [...redis.include, 'redis-sentinel'] }), imagesCopy)).not.toBe(base);
    const others = await Promise.all(ROOTFS_SPECS.map((s) => rootfsKey(rootfsRecipe(s), imagesCopy)));
    appendFileSync(join(imagesCopy, 'rootfs', 'finishExtracted.sh'), '\n# edited\n');
    const after = await Promise.all(ROOTFS_SPECS.map((s) => rootfsKey(rootfsRecipe(s), imagesCopy)));
    const changed = ROOTFS_SPECS.filter((_, i) => others[i] !== after[i]).map((s) => s.name);
    expect(changed).toEqual(['runtime']);
  });

  it('a site mirror replaces the Debian archive in every apt source and changes the rootfs key', async () => {
    const spec = rootfsSpec('postgres');
    const mirrors = { mirror: 'http://mirror.site.example/debian', securityMirror: 'http://mirror.site.example/debian-security' };
    const recipe = rootfsRecipe(spec, mirrors);
    expect(recipe.sources).toEqual([
      'deb http://mirror.site.example/debian bookworm main',
      'deb http://mirror.site.example/debian bookworm-updates main',
      'deb http://mirror.site.example/debian-security bookworm-security main',
    ]);
    expect(await rootfsKey(recipe, imagesCopy)).not.toBe(await rootfsKey(rootfsRecipe(spec), imagesCopy));
  });
});

describe('mmdebstrap invocation', () => {
  it('runtime rootfs: extract variant (no shell, no dpkg), hooks at the extract stage, sources last', () => {
    const args = mmdebstrapArgs(rootfsRecipe(rootfsSpec('runtime')), { imagesDir: '/x/images', outTar: '/c/rt.tar', packagesOut: '/c/rt.tsv' });
    expect(args[0]).toBe('--variant=extract');
    expect(args).toContain('--skip=output/dev');
    expect(args).toContain('--include=libc6,libstdc++6,libgcc-s1,base-files,netbase');
    expect(args).toContain(`--extract-hook='/x/images/rootfs/addSystemUser.sh' "$1" 'porten' '10001' '/var/lib/porten' '/usr/sbin/nologin'`);
    expect(args).toContain(`--extract-hook='/x/images/rootfs/finishRootfs.sh' "$1" '/c/rt.tsv'`);
    expect(args.slice(-5)).toEqual([
      'bookworm',
      '/c/rt.tar',
      'deb http://deb.debian.org/debian bookworm main',
      'deb http://deb.debian.org/debian bookworm-updates main',
      'deb http://deb.debian.org/debian-security bookworm-security main',
    ]);
    expect(args.some((a) => a.startsWith('--customize-hook') || a.startsWith('--essential-hook'))).toBe(false);
  });

  it('postgres rootfs: the user and the no-main-cluster file exist before the packages install', () => {
    const args = mmdebstrapArgs(rootfsRecipe(rootfsSpec('postgres')), { imagesDir: '/x/images', outTar: '/c/pg.tar', packagesOut: '/c/pg.tsv' });
    const essential = args.filter((a) => a.startsWith('--essential-hook='));
    expect(essential).toEqual([
      `--essential-hook='/x/images/rootfs/addSystemUser.sh' "$1" 'postgres' '999' '/var/lib/postgresql' '/bin/bash'`,
      `--essential-hook='/x/images/rootfs/copyIn.sh' "$1" '/x/images/postgres/createcluster.conf' '/etc/postgresql-common/createcluster.d/porten.conf'`,
    ]);
    expect(args).toContain(`--customize-hook='/x/images/rootfs/finishRootfs.sh' "$1" '/c/pg.tsv'`);
  });
});

describe('selection and options', () => {
  it('names an unknown image and lists the known ones', () => {
    expect(() => selectSpecs(['hub', 'mysql'])).toThrow(/unknown image mysql: choose from hub, agent, postgres, redis, prometheus, nodehost-test/);
  });

  it('keeps the spec order for --only', () => {
    expect(selectSpecs(['redis', 'hub']).map((s: ImageSpec) => s.name)).toEqual(['hub', 'redis']);
  });

  it('parses the CLI options and refuses unknown ones with a bad_argument error', () => {
    const opts = parseArgs(['--only=postgres,redis', '--mirror=http://m/debian', '--refresh']);
    expect(opts.only).toEqual(['postgres', 'redis']);
    expect(opts.mirrors?.mirror).toBe('http://m/debian');
    expect(opts.refresh).toBe(true);
    const err = (() => {
      try {
        parseArgs(['--fast']);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(BundleError);
    expect((err as BundleError).code).toBe('bad_argument');
  });
});
