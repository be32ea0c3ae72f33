/**
 * Cache keys: sha256 over everything that decides what an image contains, so that "same key" means
 * "rebuilding would give the same image" and any changed input means a new key.
 *
 * - rootfs key: the mmdebstrap recipe (suite, variant, package request, options, hooks, apt
 *   sources, SOURCE_DATE_EPOCH) and the content of every file the hooks read.
 * - image key: the rootfs key, the release version, every file in images/<name>/ (content and
 *   executable bit) and every input taken from dist/ (content, after its transform).
 *
 * Keys cover inputs, not the Debian mirror's content: a security update on the mirror is picked
 * up by `npm run build:images -- --refresh` (or a changed recipe), not by a plain rebuild.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FileHashes } from './fileHashes.ts';
import { recipeFiles, type RootfsRecipe } from './rootfsRecipe.ts';
import type { DistInput, ImageSpec } from './types.ts';

/** Bumped when the builder changes how it turns the same inputs into an image (labels, layout). */
export const BUILDER_FORMAT = 1;

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export interface TreeEntry {
  /** Path relative to the hashed root ('' for a single file). */
  path: string;
  executable: boolean;
  sha256: string;
}

/** Content hashes of a file or of every file under a folder, sorted by path. Symlinks are followed. */
export async function hashTree(root: string, hashes: FileHashes, rel = ''): Promise<TreeEntry[]> {
  const path = rel === '' ? root : join(root, rel);
  const st = statSync(path);
  if (!st.isDirectory()) return [{ path: rel, executable: (st.mode & 0o111) !== 0, sha256: await hashes.sha256(path) }];
  const names = readdirSync(path).sort();
  const out: TreeEntry[] = [];
  for (const name of names) out.push(...(await hashTree(root, hashes, rel === '' ? name : `${rel}/${name}`)));
  return out;
}

export async function rootfsKey(recipe: RootfsRecipe, imagesDir: string, hashes = new FileHashes()): Promise<string> {
  const files = [];
  for (const file of recipeFiles(recipe)) files.push({ file, entries: await hashTree(join(imagesDir, file), hashes) });
  return sha256(JSON.stringify({ format: BUILDER_FORMAT, recipe, files }));
}

/** The bytes a dist input contributes when it is a single transformed file. */
export function transformedContent(input: DistInput, sourcePath: string): Buffer | null {
  if (input.transform !== 'json-without-images') return null;
  const parsed = JSON.parse(readFileSync(sourcePath, 'utf8')) as Record<string, unknown>;
  // Emptied rather than removed: the manifest format requires the field (bundle/releaseManifest.ts).
  parsed.images = {};
  return Buffer.from(`${JSON.stringify(parsed, null, 2)}\n`);
}

export interface ImageKeyInputs {
  spec: ImageSpec;
  version: string;
  rootfsKey: string;
  imagesDir: string;
  distDir: string;
  /** Hashes remembered across runs (the builder passes its memo); default: this call only. */
  hashes?: FileHashes;
}

export async function imageKey(inputs: ImageKeyInputs): Promise<string> {
  const { spec, imagesDir, distDir } = inputs;
  const hashes = inputs.hashes ?? new FileHashes();
  const context = await hashTree(join(imagesDir, spec.name), hashes);
  const dist = [];
  for (const input of spec.distInputs) {
    const source = join(distDir, input.from);
    const transformed = transformedContent(input, source);
    const entries = transformed ? [{ path: '', executable: false, sha256: sha256(transformed) }] : await hashTree(source, hashes);
    dist.push({ to: input.to, transform: input.transform ?? null, entries });
  }
  return sha256(JSON.stringify({ format: BUILDER_FORMAT, name: spec.name, version: inputs.version, rootfsKey: inputs.rootfsKey, context, dist }));
}

/** The part of a key used in tags (`porten-rootfs/<name>:<short key>`). */
export function shortKey(key: string): string {
  return key.slice(0, 16);
}
