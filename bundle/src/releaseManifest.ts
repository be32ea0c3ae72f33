import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { writeFileAtomic } from '@porten/shared/writeFileAtomic';
import { withBuildLock } from './buildLock.ts';
import { distLayout } from './layout.ts';
import { BundleError } from './bundleError.ts';

/** One file of the release, as install.sh and the hub check it. */
export interface FileEntry {
  sha256: string;
  size: number;
}

/** A container image built from this release (recorded by the images build). */
export interface ImageEntry {
  id: string;
  tag: string;
}

/**
 * dist/release.json: what this release is and the checksum of every file it ships. Written by
 * `npm run build`; the images build adds the ids of the images it made from these files with
 * recordImages(); the hub serves the agent files it lists to install.sh (hub/src/install). No
 * timestamps: identical builds write identical manifests.
 */
export interface ReleaseManifest {
  /** The release version (root package.json). */
  version: string;
  /** The git revision built (`abc1234`, `abc1234-dirty`). */
  revision: string;
  /** The Node runtime the executables embed (`v24.21.0`). */
  node_version: string;
  /** By file name in dist/: `porten-hub`, `porten`, `porten-payload.tar.gz`. */
  files: Record<string, FileEntry>;
  /** By image name (`hub`, `agent`, …); empty until the images are built from this release. */
  images: Record<string, ImageEntry>;
}

/** Reads and checks dist/release.json; throws naming every problem at once. */
export function readManifest(distDir: string): ReleaseManifest {
  const path = distLayout(distDir).manifest;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new BundleError('manifest_invalid', `cannot read the release manifest ${path} (${(err as Error).message}); run \`npm run build\``, { cause: err });
  }
  const problems = manifestProblems(raw);
  if (problems.length > 0) throw new BundleError('manifest_invalid', `the release manifest ${path} is invalid: ${problems.join('; ')}`);
  return raw as ReleaseManifest;
}

/** Like readManifest, but undefined when there is none (or it is unreadable). */
export function readManifestIfAny(distDir: string): ReleaseManifest | undefined {
  try {
    return readManifest(distDir);
  } catch {
    return undefined;
  }
}

/** Writes the manifest atomically, keys of `files` and `images` sorted, 2-space JSON and a newline. */
export function writeManifest(distDir: string, manifest: ReleaseManifest): void {
  const path = distLayout(distDir).manifest;
  const canonical: ReleaseManifest = {
    version: manifest.version,
    revision: manifest.revision,
    node_version: manifest.node_version,
    files: sortedRecord(manifest.files),
    images: sortedRecord(manifest.images),
  };
  writeFileAtomic(path, `${JSON.stringify(canonical, null, 2)}\n`);
}

/** `base` with `patch`'s files and images added or replaced (by name). */
export function mergeManifest(base: ReleaseManifest, patch: { files?: Record<string, FileEntry>; images?: Record<string, ImageEntry> }): ReleaseManifest {
  return { ...base, files: { ...base.files, ...patch.files }, images: { ...base.images, ...patch.images } };
}

/**
 * For the images build: records the images made from the release in dist/ (added to or replacing
 * those of the same name), under the build lock so that it never interleaves with a build. A new
 * build of different files starts again with no images.
 */
export async function recordImages(distDir: string, images: Record<string, ImageEntry>): Promise<ReleaseManifest> {
  const problems = Object.entries(images).flatMap(([name, image]) => imageProblems(`images.${name}`, image));
  if (problems.length > 0) throw new BundleError('manifest_invalid', `recordImages: ${problems.join('; ')}`);
  return withBuildLock(distDir, () => {
    const next = mergeManifest(readManifest(distDir), { images });
    writeManifest(distDir, next);
    return next;
  });
}

/** sha256 and size of a file, streamed. */
export async function fileEntry(path: string): Promise<FileEntry> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return { sha256: hash.digest('hex'), size: statSync(path).size };
}

function manifestProblems(raw: unknown): string[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return ['not a JSON object'];
  const m = raw as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of ['version', 'revision', 'node_version'] as const) {
    if (typeof m[key] !== 'string' || m[key] === '') problems.push(`${key} is not a non-empty string`);
  }
  for (const key of ['files', 'images'] as const) {
    if (typeof m[key] !== 'object' || m[key] === null || Array.isArray(m[key])) problems.push(`${key} is not an object`);
  }
  for (const [name, f] of Object.entries((m.files ?? {}) as Record<string, Partial<FileEntry>>)) {
    if (typeof f?.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256)) problems.push(`files.${name}.sha256 is not 64 hex digits`);
    if (!Number.isSafeInteger(f?.size) || (f.size as number) < 0) problems.push(`files.${name}.size is not a size`);
  }
  for (const [name, image] of Object.entries((m.images ?? {}) as Record<string, unknown>)) problems.push(...imageProblems(`images.${name}`, image));
  return problems;
}

function imageProblems(where: string, image: unknown): string[] {
  const i = image as Partial<ImageEntry> | null;
  const problems: string[] = [];
  if (typeof i?.id !== 'string' || i.id === '') problems.push(`${where}.id is not a non-empty string`);
  if (typeof i?.tag !== 'string' || i.tag === '') problems.push(`${where}.tag is not a non-empty string`);
  return problems;
}

function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
