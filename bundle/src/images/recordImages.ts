/**
 * Hands the built images to the release: image ids into the release manifest, package lists beside
 * it for the SBOM.
 *
 * - releaseManifest.ts's recordImages(distDir, images) when dist/release.json exists (the executable
 *   build writes it; this module only calls it);
 * - otherwise dist/images.json ({version, images: {name: {id, tag}}}), merged with what an earlier
 *   partial run (--only) recorded, so nothing is lost until the manifest exists.
 * - always dist/images/<name>.packages.tsv (name TAB version TAB arch), the same list as the image's
 *   /usr/share/porten/packages.tsv and its org.porten.packages label.
 * Test-only images (release: false) are left out of all three.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordImages as recordInManifest } from '../releaseManifest.ts';
import type { ImageResult } from './types.ts';

export interface RecordedImage {
  id: string;
  tag: string;
}

export interface RecordOutcome {
  /** Where the ids went: the release manifest or dist/images.json. */
  target: string;
  packageLists: string[];
}

export async function recordImages(results: ImageResult[], distDir: string, version: string): Promise<RecordOutcome> {
  const release = results.filter((r) => r.release);
  const images = Object.fromEntries(release.map((r) => [r.name, { id: r.id, tag: r.tag }]));
  mkdirSync(join(distDir, 'images'), { recursive: true });
  const packageLists = release.map((r) => {
    const target = join(distDir, 'images', `${r.name}.packages.tsv`);
    copyFileSync(r.rootfs.packagesFile, target);
    return target;
  });

  const manifest = join(distDir, 'release.json');
  if (existsSync(manifest)) {
    await recordInManifest(distDir, images);
    return { target: manifest, packageLists };
  }

  const fallback = join(distDir, 'images.json');
  const earlier = existsSync(fallback) ? (JSON.parse(readFileSync(fallback, 'utf8')) as { version?: string; images?: Record<string, RecordedImage> }) : {};
  const merged = earlier.version === version ? { ...earlier.images, ...images } : images;
  writeFileSync(fallback, `${JSON.stringify({ version, images: merged }, null, 2)}\n`);
  return { target: fallback, packageLists };
}
