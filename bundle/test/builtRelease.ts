/**
 * Test support for the tests that run the built executables: dist/ made current through the cached
 * build (`node bundle/src/build.ts`, what `npm run build` runs: about a second when nothing changed),
 * and copies of the release in fresh folders outside the repository, laid out as a node installs
 * it (`porten`, `porten-payload/` unpacked from the archive, like install.sh does).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DIST_DIR, distLayout, REPO_ROOT } from '../src/layout.ts';
import { readManifest, type ReleaseManifest } from '../src/releaseManifest.ts';

const BUILD = join(REPO_ROOT, 'bundle', 'src', 'build.ts');
const BUILD_TIMEOUT_MS = 10 * 60_000;

/** Runs the cached build with this Node (the repository's Node 24) and returns the manifest. */
export function ensureBuilt(): ReleaseManifest {
  const r = spawnSync(process.execPath, [BUILD], { cwd: REPO_ROOT, encoding: 'utf8', timeout: BUILD_TIMEOUT_MS });
  if (r.status !== 0) throw new Error(`npm run build failed (${r.error?.message ?? `exit ${r.status}`}):\n${r.stdout}${r.stderr}`);
  return readManifest(DIST_DIR);
}

/** A fresh folder outside the repository (realpath: /tmp may be a link), holding the named files of dist/. */
export function copyRelease(names: string[], prefix = 'porten-release-'): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  for (const name of names) copyFileSync(join(DIST_DIR, name), join(dir, name));
  return dir;
}

/** Unpacks dist/porten-payload.tar.gz into `dir` with the system's tar, as install.sh does. */
export function unpackPayload(dir: string): void {
  const r = spawnSync('tar', ['-xzf', distLayout(DIST_DIR).payloadArchive, '-C', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tar -xzf porten-payload.tar.gz failed: ${r.stderr}`);
}

/** The environment the executables get: no NODE_* variables, no Node on the PATH, only what is given. */
export function minimalEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: '/usr/bin:/bin', ...extra };
}
