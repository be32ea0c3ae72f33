/**
 * The builder's cache and its records: a second build with unchanged inputs reports every image and
 * every rootfs as cached (by the builder's returned status, not by time) with the same image ids;
 * the ids of the release images go into the release manifest (through bundle/releaseManifest.ts)
 * or, without one, into images.json; test-only images are never recorded.
 */
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../builtRelease.ts';
import { buildImages } from '../../src/images/buildImages.ts';
import { repoBuildOptions } from '../../src/images/buildOptions.ts';
import { DIST_DIR } from '../../src/layout.ts';
import { IMAGE_SPECS } from '../../src/images/imageSpecs.ts';
import { recordImages } from '../../src/images/recordImages.ts';
import type { ImageResult } from '../../src/images/types.ts';
import { BUILD_HOOK_TIMEOUT_MS, DockerScratch } from './dockerTestKit.ts';

let first: ImageResult[];
let second: ImageResult[];
const lines: string[] = [];
const scratch = new DockerScratch();

beforeAll(async () => {
  ensureBuilt();
  first = await buildImages(repoBuildOptions({ log: () => {} }));
  second = await buildImages(repoBuildOptions({ log: (line) => lines.push(line) }));
}, BUILD_HOOK_TIMEOUT_MS);

afterAll(() => scratch.cleanup());

describe('image cache', () => {
  it('a second build with unchanged inputs reports every image and rootfs cached, with the same ids', () => {
    expect(second.map((r) => r.name)).toEqual(IMAGE_SPECS.map((s) => s.name));
    expect(second.map((r) => [r.name, r.status, r.rootfs.status])).toEqual(IMAGE_SPECS.map((s) => [s.name, 'cached', 'cached']));
    expect(second.map((r) => r.id)).toEqual(first.map((r) => r.id));
    expect(second.map((r) => r.inputsKey)).toEqual(first.map((r) => r.inputsKey));
  });

  it('prints one line per rootfs and per image, each saying cached', () => {
    expect(lines.filter((l) => l.endsWith(': cached')).sort()).toEqual(
      [...new Set(IMAGE_SPECS.map((s) => `porten-rootfs/${s.rootfs}: cached`)), ...IMAGE_SPECS.map((s) => `porten/${s.name}: cached`)].sort(),
    );
  });

  it('tags porten/<name>:<release version> (no latest)', () => {
    const version = repoBuildOptions().version;
    expect(second.map((r) => r.tag)).toEqual(IMAGE_SPECS.map((s) => `porten/${s.name}:${version}`));
  });
});

describe('recording the images', () => {
  it('adds the release images to a copy of the release manifest through releaseManifest.ts', async () => {
    const dist = scratch.tempDir();
    copyFileSync(join(DIST_DIR, 'release.json'), join(dist, 'release.json'));
    const outcome = await recordImages(second, dist, repoBuildOptions().version);
    expect(outcome.target).toBe(join(dist, 'release.json'));
    const manifest = JSON.parse(readFileSync(join(dist, 'release.json'), 'utf8')) as { images: Record<string, { id: string; tag: string }> };
    const release = second.filter((r) => r.release);
    expect(manifest.images).toEqual(Object.fromEntries(release.map((r) => [r.name, { id: r.id, tag: r.tag }])));
    expect(Object.keys(manifest.images)).not.toContain('nodehost-test');
    for (const r of release) expect(readFileSync(join(dist, 'images', `${r.name}.packages.tsv`), 'utf8')).toBe(readFileSync(r.rootfs.packagesFile, 'utf8'));
    expect(existsSync(join(dist, 'images', 'nodehost-test.packages.tsv'))).toBe(false);
  });

  it('without a release manifest, writes images.json and merges a later partial run into it', async () => {
    const dist = scratch.tempDir();
    const hub = second.filter((r) => r.name === 'hub');
    const redis = second.filter((r) => r.name === 'redis');
    await recordImages(hub, dist, '9.9.9');
    const outcome = await recordImages(redis, dist, '9.9.9');
    expect(outcome.target).toBe(join(dist, 'images.json'));
    const recorded = JSON.parse(readFileSync(join(dist, 'images.json'), 'utf8')) as { version: string; images: Record<string, unknown> };
    expect(recorded.version).toBe('9.9.9');
    expect(Object.keys(recorded.images).sort()).toEqual(['hub', 'redis']);
  });
});
