/**
 * What `npm run build` puts in dist/ — the one description of that layout, used by the build, its
 * tests and the images build (images/):
 *
 *   dist/porten-hub               the hub, a single executable (Node 24 SEA; console pages and
 *                                 migrations inside)
 *   dist/porten                   the node agent, a single executable
 *   dist/porten-payload/          the agent's native payload: node_modules/{node-llama-cpp,
 *                                 @node-llama-cpp/linux-x64, their dependencies}; installed beside
 *                                 the agent as /opt/porten/porten-payload (agent/src/engines/builtin/nativePayload.ts)
 *   dist/porten-payload.tar.gz    the same directory as a deterministic archive (top entry
 *                                 `porten-payload/`), which the hub serves to install.sh
 *   dist/release.json             the release manifest (releaseManifest.ts)
 *   dist/.build-key               the build cache's key (buildCache.ts)
 *   dist/.build.lock              held while a build or recordImages writes (buildLock.ts)
 *   dist/.work/                   scratch space of a build; outputs are renamed into place from here
 *   dist/.runtime/                the stripped Node runtime, made once per Node version
 */
import { join } from 'node:path';
import { PAYLOAD_DIR_NAME } from '@porten/agent/engines/builtin/nativePayload';
import { findRepoRoot } from '@porten/shared/repoRoot';

/** The repository root. */
export const REPO_ROOT = findRepoRoot(import.meta.dirname);

/** The default output directory. */
export const DIST_DIR = join(REPO_ROOT, 'dist');

/** A single executable: its file name in dist/ and its entry module, relative to the repository root. */
export interface ExecutableSpec {
  name: string;
  entry: string;
  /**
   * Modules left out of the bundle. In the executable, `require` of them fails (it only knows
   * built-in modules) and the code around it copes: optional native speed-ups (`pg-native`,
   * `bufferutil`, `utf-8-validate`), `supports-color` (which `debug`, under ioredis, tries and does
   * without), or, for the agent, node-llama-cpp — loaded from the payload instead.
   */
  external: string[];
}

/**
 * The executables the build makes.
 */
export const EXECUTABLES: readonly ExecutableSpec[] = [
  { name: 'porten-hub', entry: 'hub/src/main.ts', external: ['pg-native', 'bufferutil', 'utf-8-validate', 'supports-color'] },
  { name: 'porten', entry: 'agent/src/main.ts', external: ['pg-native', 'bufferutil', 'utf-8-validate', 'node-llama-cpp'] },
  // The site's ops CLI. dockerode's SSH transport (ssh2, never used: portenctl talks to the local
  // socket) tries its native speed-ups inside try/catch: `cpu-features` and ssh2's own sshcrypto.node.
  { name: 'portenctl', entry: 'airgap/src/main.ts', external: ['pg-native', 'bufferutil', 'utf-8-validate', 'supports-color', 'cpu-features', '*.node', './crypto/build/Release/sshcrypto.node'] },
];

/** Folders (relative to the root) whose non-test files are inputs of the build. */
export const SOURCE_DIRS = ['hub/shared/src', 'hub/src', 'agent/src', 'airgap/src', 'bundle/src'] as const;
/** Single files that are inputs of the build. */
export const SOURCE_FILES = ['package.json', 'package-lock.json', 'hub/shared/package.json', 'hub/package.json', 'agent/package.json', 'airgap/package.json', 'bundle/package.json'] as const;

export const PAYLOAD_ARCHIVE = `${PAYLOAD_DIR_NAME}.tar.gz`;

export interface DistLayout {
  dir: string;
  executable(name: string): string;
  payloadDir: string;
  payloadArchive: string;
  manifest: string;
  buildKey: string;
  lock: string;
  work: string;
  runtimeCache: string;
}

export function distLayout(dir: string = DIST_DIR): DistLayout {
  return {
    dir,
    executable: (name) => join(dir, name),
    payloadDir: join(dir, PAYLOAD_DIR_NAME),
    payloadArchive: join(dir, PAYLOAD_ARCHIVE),
    manifest: join(dir, 'release.json'),
    buildKey: join(dir, '.build-key'),
    lock: join(dir, '.build.lock'),
    work: join(dir, '.work'),
    runtimeCache: join(dir, '.runtime'),
  };
}
