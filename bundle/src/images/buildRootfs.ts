/**
 * One rootfs: mmdebstrap → tarball → `docker import` as `porten-rootfs/<name>:<short key>`.
 *
 * The imported image is the rootfs cache (the tarball is deleted once imported): while an image with
 * that tag and the same org.porten.rootfs label exists, and its package list is in the cache folder,
 * mmdebstrap does not run again — so changing only the hub binary rebuilds only the thin layer.
 * Older tags of the same rootfs are removed after a rebuild (unless an image still uses them).
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { rootfsKey, shortKey } from './cacheKeys.ts';
import { importTarball, inspectImage, listTags, removeTag } from './dockerCli.ts';
import { BundleError } from '../bundleError.ts';
import { mmdebstrapArgs, rootfsRecipe, type Mirrors } from './rootfsRecipe.ts';
import { runChecked, runCommand } from '../runCommand.ts';
import type { RootfsResult, RootfsSpec } from './types.ts';

export const ROOTFS_REPOSITORY = 'porten-rootfs';
export const ROOTFS_LABEL = 'org.porten.rootfs';

export interface RootfsBuildContext {
  imagesDir: string;
  cacheDir: string;
  mirrors: Mirrors;
  sourceDateEpoch: number;
  /** Rebuild even when cached (picks up new package versions from the mirror). */
  refresh: boolean;
  log: (line: string) => void;
}

export function packagesFilePath(cacheDir: string, name: string, key: string): string {
  return join(cacheDir, 'rootfs', `${name}-${shortKey(key)}.packages.tsv`);
}

export async function ensureRootfs(spec: RootfsSpec, ctx: RootfsBuildContext): Promise<RootfsResult> {
  const recipe = rootfsRecipe(spec, ctx.mirrors, ctx.sourceDateEpoch);
  const key = await rootfsKey(recipe, ctx.imagesDir);
  const repository = `${ROOTFS_REPOSITORY}/${spec.name}`;
  const tag = `${repository}:${shortKey(key)}`;
  const packagesFile = packagesFilePath(ctx.cacheDir, spec.name, key);
  const existing = await inspectImage(tag);
  if (!ctx.refresh && existing?.labels[ROOTFS_LABEL] === key && existsSync(packagesFile)) {
    ctx.log(`${repository}: cached`);
    return { name: spec.name, key, tag, status: 'cached', packagesFile };
  }

  await assertMmdebstrap();
  const started = Date.now();
  ctx.log(`${repository}: building rootfs (mmdebstrap ${spec.variant}, ~${spec.expectedSeconds} s)…`);
  const dir = join(ctx.cacheDir, 'rootfs');
  mkdirSync(dir, { recursive: true });
  const logFile = join(ctx.cacheDir, 'logs', `rootfs-${spec.name}.log`);
  mkdirSync(join(ctx.cacheDir, 'logs'), { recursive: true });
  writeFileSync(logFile, '');
  const outTar = join(dir, `${spec.name}-${shortKey(key)}.tar`);
  const packagesTmp = `${packagesFile}.partial`;
  try {
    const args = mmdebstrapArgs(recipe, { imagesDir: ctx.imagesDir, outTar, packagesOut: packagesTmp });
    await runChecked('mmdebstrap', args, { logFile, env: { ...process.env, SOURCE_DATE_EPOCH: String(recipe.sourceDateEpoch) } });
    if (!existsSync(packagesTmp)) throw new BundleError('command_failed', `mmdebstrap finished but wrote no package list for ${spec.name}; see ${logFile}`);
    await importTarball(outTar, tag, { [ROOTFS_LABEL]: key }, logFile);
    renameSync(packagesTmp, packagesFile);
  } finally {
    rmSync(outTar, { force: true });
    rmSync(packagesTmp, { force: true });
  }
  for (const old of await listTags(repository)) {
    if (old !== shortKey(key)) await removeTag(`${repository}:${old}`);
  }
  ctx.log(`${repository}: built in ${Math.round((Date.now() - started) / 1000)} s`);
  return { name: spec.name, key, tag, status: 'built', packagesFile };
}

async function assertMmdebstrap(): Promise<void> {
  const res = await runCommand('mmdebstrap', ['--version']);
  if (res.code !== 0) {
    throw new BundleError('mmdebstrap_unavailable', 'mmdebstrap is not installed: apt-get install mmdebstrap (Debian 12 or later), then run npm run build:images again');
  }
}
