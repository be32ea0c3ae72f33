import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { BuildStamp } from './buildStamp.ts';
import { distLayout, EXECUTABLES, PAYLOAD_ARCHIVE, SOURCE_DIRS, SOURCE_FILES } from './layout.ts';
import { readManifestIfAny } from './releaseManifest.ts';

/**
 * The build's cache key: a sha256 over everything the outputs are made from — the version and
 * revision stamped in, the embedded Node's version, every non-test file under SOURCE_DIRS (path
 * and content) and SOURCE_FILES (package manifests and the lockfile, which pins the payload).
 * Test files and test folders are left out: changing a test rebuilds nothing.
 */
export function buildKey(root: string, stamp: BuildStamp, nodeVersion: string): string {
  const hash = createHash('sha256');
  hash.update(`version ${stamp.version}\nrevision ${stamp.revision}\nnode ${nodeVersion}\n`);
  const files = [...SOURCE_DIRS.flatMap((d) => inputFiles(join(root, d))), ...SOURCE_FILES.map((f) => join(root, f))].sort();
  for (const file of files) {
    hash.update(`${relative(root, file).split(sep).join('/')}\n`);
    hash.update(createHash('sha256').update(readFileSync(file)).digest());
  }
  return hash.digest('hex');
}

/**
 * Why dist/ does not hold the outputs of `key`, or undefined when it does: the stored key matches
 * and every file the manifest lists is there with its recorded size (sizes, not hashes: hashing
 * 230 MB would cost more than the second a warm build may take; a file replaced by hand with one of
 * the same size is not noticed here — `npm run build -- --force` rebuilds).
 */
export function staleReason(distDir: string, key: string): string | undefined {
  const layout = distLayout(distDir);
  if (!existsSync(layout.buildKey)) return 'no finished build in dist/';
  if (readFileSync(layout.buildKey, 'utf8').trim() !== key) return 'inputs changed since the last build';
  const manifest = readManifestIfAny(distDir);
  if (!manifest) return 'dist/release.json is missing or invalid';
  if (!existsSync(layout.payloadDir)) return `${relative(distDir, layout.payloadDir)}/ is missing`;
  for (const name of [...EXECUTABLES.map((e) => e.name), PAYLOAD_ARCHIVE]) {
    const entry = manifest.files[name];
    const path = join(distDir, name);
    if (entry === undefined || !existsSync(path) || statSync(path).size !== entry.size) return `dist/${name} is missing or not the one release.json lists`;
  }
  return undefined;
}

export function storeBuildKey(distDir: string, key: string): void {
  writeFileSync(distLayout(distDir).buildKey, `${key}\n`);
}

function inputFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return d.name === 'test' || d.name === 'node_modules' ? [] : inputFiles(path);
    return d.isFile() && !d.name.endsWith('.test.ts') ? [path] : [];
  });
}
