/**
 * Builds the images: for each selected image, its rootfs (cached as an imported base image), then
 * the thin Dockerfile layer from images/<name>/ FROM that base, tagged `porten/<name>:<version>`.
 *
 * Cache contract: an image whose tag exists with label org.porten.inputs equal to its current
 * inputs key (see cacheKeys.ts) is reported `cached` and not touched; so is a rootfs. A second run
 * with unchanged inputs therefore only hashes files and asks docker, and takes seconds.
 *
 * Only the version tag is written, never `latest`: on an air-gapped site several releases' images
 * sit side by side during an upgrade, and compose files name the exact version.
 */
import { cpSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { imageKey, transformedContent } from './cacheKeys.ts';
import { withBuildLock } from './buildLock.ts';
import { ensureRootfs, type RootfsBuildContext } from './buildRootfs.ts';
import { assertDockerReachable, buildImage, inspectImage, removeTag } from './dockerCli.ts';
import { FileHashes } from './fileHashes.ts';
import { IMAGE_SPECS, imageRepository, rootfsSpec } from './imageSpecs.ts';
import { BundleError } from '../bundleError.ts';
import { Semaphore } from './semaphore.ts';
import type { ImageResult, ImageSpec, RootfsResult } from './types.ts';

export const INPUTS_LABEL = 'org.porten.inputs';
export const PACKAGES_LABEL = 'org.porten.packages';

export interface BuildImagesOptions extends RootfsBuildContext {
  distDir: string;
  version: string;
  /** Image names to build (default: all of IMAGE_SPECS). */
  only?: string[];
  /** Rootfs builds (mmdebstrap) and docker builds running at once, each; default 2. */
  concurrency?: number;
}

export function selectSpecs(only: string[] | undefined): ImageSpec[] {
  if (!only || only.length === 0) return [...IMAGE_SPECS];
  const known = IMAGE_SPECS.map((s) => s.name);
  const unknown = only.filter((n) => !known.includes(n));
  if (unknown.length > 0) throw new BundleError('bad_argument', `unknown image ${unknown.join(', ')}: choose from ${known.join(', ')}`);
  return IMAGE_SPECS.filter((s) => only.includes(s.name));
}

/** Every dist/ input the selected images need and that is missing, reported together. */
export function assertDistInputs(specs: ImageSpec[], distDir: string): void {
  const missing = specs.flatMap((s) => s.distInputs.filter((i) => !existsSync(join(distDir, i.from))).map((i) => `${join(distDir, i.from)} (for porten/${s.name})`));
  if (missing.length > 0) {
    const skip = specs.filter((s) => s.distInputs.length === 0).map((s) => s.name).join(',');
    throw new BundleError('missing_input', `missing build output: ${missing.join(', ')}. Run npm run build first (or build the others only: npm run build:images -- --only=${skip})`);
  }
}

export async function buildImages(opts: BuildImagesOptions): Promise<ImageResult[]> {
  const specs = selectSpecs(opts.only);
  assertDistInputs(specs, opts.distDir);
  await assertDockerReachable();
  return withBuildLock(opts.cacheDir, opts.log, () => buildSelected(specs, opts));
}

async function buildSelected(specs: ImageSpec[], opts: BuildImagesOptions): Promise<ImageResult[]> {
  const rootfsSlots = new Semaphore(opts.concurrency ?? 2);
  const buildSlots = new Semaphore(opts.concurrency ?? 2);
  // Hub and agent share the runtime rootfs: one mmdebstrap run, however many images use it.
  const rootfs = new Map<string, Promise<RootfsResult>>();
  const rootfsFor = (name: string): Promise<RootfsResult> => {
    let p = rootfs.get(name);
    if (!p) {
      p = rootfsSlots.run(() => ensureRootfs(rootfsSpec(name), opts));
      rootfs.set(name, p);
    }
    return p;
  };

  const hashes = new FileHashes(join(opts.cacheDir, 'file-hashes.json'));
  const settled = await Promise.allSettled(specs.map(async (spec) => buildOne(spec, await rootfsFor(spec.rootfs), opts, buildSlots, hashes)));
  hashes.save();
  const errors = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as Error] : []));
  if (errors.length === 1) throw errors[0];
  if (errors.length > 1) throw new BundleError(errors.every((e) => e instanceof BundleError) ? (errors[0] as BundleError).code : 'command_failed', errors.map((e) => e.message).join('\n'));
  return settled.map((s) => (s as PromiseFulfilledResult<ImageResult>).value);
}

async function buildOne(spec: ImageSpec, rootfs: RootfsResult, opts: BuildImagesOptions, slots: Semaphore, hashes: FileHashes): Promise<ImageResult> {
  const started = Date.now();
  const repository = imageRepository(spec.name);
  const tag = `${repository}:${opts.version}`;
  const key = await imageKey({ spec, version: opts.version, rootfsKey: rootfs.key, imagesDir: opts.imagesDir, distDir: opts.distDir, hashes });
  const base = { name: spec.name, tag, inputsKey: key, release: spec.release, rootfs };
  const existing = await inspectImage(tag);
  if (!opts.refresh && existing?.labels[INPUTS_LABEL] === key) {
    opts.log(`${repository}: cached`);
    return { ...base, id: existing.id, status: 'cached', seconds: (Date.now() - started) / 1000 };
  }
  return slots.run(async () => {
    opts.log(`${repository}: building image (docker build FROM ${rootfs.tag})…`);
    const contextDir = join(opts.cacheDir, 'context', spec.name);
    assembleContext(spec, contextDir, opts);
    const logFile = join(opts.cacheDir, 'logs', `image-${spec.name}.log`);
    mkdirSync(dirname(logFile), { recursive: true });
    writeFileSync(logFile, '');
    const id = await buildImage({
      contextDir,
      tag,
      logFile,
      buildArgs: { BASE: rootfs.tag },
      labels: {
        [INPUTS_LABEL]: key,
        'org.porten.rootfs': rootfs.key,
        'org.porten.version': opts.version,
        [PACKAGES_LABEL]: readFileSync(rootfs.packagesFile, 'utf8'),
        'org.opencontainers.image.title': repository,
        'org.opencontainers.image.version': opts.version,
        'org.opencontainers.image.description': spec.summary,
      },
    });
    rmSync(contextDir, { recursive: true, force: true });
    // The image this tag pointed to before, now untagged: removed (with its untagged base) unless a
    // container still uses it, so that rebuilds do not pile up dangling images.
    if (existing && existing.id !== id) await removeTag(existing.id);
    const seconds = (Date.now() - started) / 1000;
    opts.log(`${tag}: built in ${Math.round(seconds)} s (${id.slice(0, 19)})`);
    return { ...base, id, status: 'built' as const, seconds };
  });
}

/**
 * The build context: images/<name>/ (Dockerfile, scripts), the image's inputs from dist/, and an
 * empty folder `empty/`, with which a Dockerfile on a shell-less base creates a folder owned by a
 * user (`COPY --chown=10001:10001 empty/ /path/`), since it cannot RUN mkdir.
 */
function assembleContext(spec: ImageSpec, contextDir: string, opts: BuildImagesOptions): void {
  rmSync(contextDir, { recursive: true, force: true });
  mkdirSync(dirname(contextDir), { recursive: true });
  cpSync(join(opts.imagesDir, spec.name), contextDir, { recursive: true });
  mkdirSync(join(contextDir, 'empty'), { recursive: true });
  for (const input of spec.distInputs) {
    const source = join(opts.distDir, input.from);
    const target = join(contextDir, input.to);
    mkdirSync(dirname(target), { recursive: true });
    const transformed = transformedContent(input, source);
    if (transformed) writeFileSync(target, transformed);
    else if (!tryHardLink(source, target)) cpSync(source, target, { recursive: true });
  }
}

/** Big single files (the executables) are hard-linked into the context when on the same filesystem. */
function tryHardLink(source: string, target: string): boolean {
  try {
    linkSync(source, target);
    return true;
  } catch {
    return false;
  }
}
