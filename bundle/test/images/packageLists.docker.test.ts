/**
 * Every image records its Debian packages (the SBOM input) in three places that agree: the file
 * /usr/share/porten/packages.tsv in the image, the org.porten.packages label (readable without
 * running anything), and the package list the builder returns. Each list holds what the image is
 * for, and the hub/agent lists hold no shell, package manager or Node.js.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGES_LABEL } from '../../src/images/buildImages.ts';
import { IMAGE_SPECS } from '../../src/images/imageSpecs.ts';
import type { ImageResult } from '../../src/images/types.ts';
import { BUILD_HOOK_TIMEOUT_MS, dockerOk, DockerScratch, ensureImages, readImageFile } from './dockerTestKit.ts';

let images: Record<string, ImageResult>;
const scratch = new DockerScratch();

beforeAll(async () => {
  images = await ensureImages(IMAGE_SPECS.map((s) => s.name));
}, BUILD_HOOK_TIMEOUT_MS);

afterAll(() => scratch.cleanup());

const EXPECTED: Record<string, string[]> = {
  hub: ['libc6', 'libstdc++6', 'libgcc-s1'],
  agent: ['libc6', 'libstdc++6', 'libgcc-s1'],
  postgres: ['postgresql-15', 'postgresql-client-15', 'libc6', 'bash'],
  redis: ['redis-server', 'redis-tools'],
  prometheus: ['prometheus'],
  'nodehost-test': ['curl', 'ca-certificates'],
};

function names(tsv: string): string[] {
  return tsv.trim().split('\n').map((l) => l.split('\t')[0] as string);
}

describe.each(IMAGE_SPECS.map((s) => s.name))('porten/%s', (name) => {
  it('records its Debian packages as name, version, arch lines, the same in the image, its label and the build output', async () => {
    const image = images[name]!;
    const inImage = await readImageFile(scratch, image.tag, '/usr/share/porten/packages.tsv');
    const label = JSON.parse(await dockerOk(['image', 'inspect', '--format', `{{json (index .Config.Labels "${PACKAGES_LABEL}")}}`, image.tag])) as string;
    expect(label).toBe(inImage);
    expect(readFileSync(image.rootfs.packagesFile, 'utf8')).toBe(inImage);
    for (const line of inImage.trim().split('\n')) expect(line).toMatch(/^[a-z0-9][a-z0-9+.-]+\t[^\t\s]+\t(amd64|all)$/);
    expect(names(inImage)).toEqual(expect.arrayContaining(EXPECTED[name]!));
  });
});

describe('runtime images (hub, agent)', () => {
  it('list no shell, package manager, interpreter or Node.js package', () => {
    const list = names(readFileSync(images.hub!.rootfs.packagesFile, 'utf8'));
    expect(list.filter((p) => /^(bash|dash|busybox|apt|dpkg|perl-base|python3.*|nodejs)$/.test(p))).toEqual([]);
    expect(list.sort()).toEqual(['base-files', 'gcc-12-base', 'libc6', 'libgcc-s1', 'libstdc++6', 'mawk', 'netbase']);
  });
});
