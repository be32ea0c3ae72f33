/**
 * Build options for this checkout: where bundle/images/, dist/ (layout.ts) and the cache are, and the release version
 * (root package.json `version`). Shared by the CLI and the tests so that both use the same cache.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildImagesOptions } from './buildImages.ts';
import { DEFAULT_SOURCE_DATE_EPOCH } from './imageSpecs.ts';
import { DEFAULT_MIRRORS } from './rootfsRecipe.ts';
import { BundleError } from '../bundleError.ts';
import { DIST_DIR, REPO_ROOT } from '../layout.ts';

export const IMAGES_DIR = join(REPO_ROOT, 'bundle', 'images');
/** Package lists of built rootfs, logs, build contexts (images/.gitignore). Deleting it only costs a rebuild. */
export const CACHE_DIR = join(IMAGES_DIR, '.cache');

export function releaseVersion(repoRoot = REPO_ROOT): string {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string' || !/^\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$/.test(pkg.version)) {
    throw new BundleError('version_invalid', `package.json version ${JSON.stringify(pkg.version)} is not a release version (x.y.z)`);
  }
  // A docker tag allows [A-Za-z0-9_.-]: semver build metadata (+…) becomes _.
  return pkg.version.replaceAll('+', '_');
}

export function repoBuildOptions(overrides: Partial<BuildImagesOptions> = {}): BuildImagesOptions {
  return {
    imagesDir: IMAGES_DIR,
    distDir: DIST_DIR,
    cacheDir: CACHE_DIR,
    version: releaseVersion(),
    mirrors: DEFAULT_MIRRORS,
    sourceDateEpoch: DEFAULT_SOURCE_DATE_EPOCH,
    refresh: false,
    log: (line) => console.log(line),
    ...overrides,
  };
}
