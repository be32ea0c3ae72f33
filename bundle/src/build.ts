/**
 * `npm run build`: the single executables and the agent's payload in dist/ (layout.ts describes
 * dist/; docs/build.md the whole build). One progress line per step. When nothing that goes into
 * the outputs changed since the last build (buildCache.ts), it says so and stops.
 *
 *   node bundle/src/build.ts [--force]     --force rebuilds even when dist/ is current
 */
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PAYLOAD_DIR_NAME } from '@porten/agent/engines/builtin/nativePayload';
import { buildKey, staleReason, storeBuildKey } from './buildCache.ts';
import { withBuildLock } from './buildLock.ts';
import { buildPayload } from './buildPayload.ts';
import { readBuildStamp, stampDefines, type BuildStamp } from './buildStamp.ts';
import { bundleEntry } from './bundleEntry.ts';
import { writeDeterministicTarGz } from './deterministicTar.ts';
import { DIST_DIR, distLayout, EXECUTABLES, PAYLOAD_ARCHIVE, REPO_ROOT, type DistLayout } from './layout.ts';
import { makeExecutable, strippedRuntime } from './makeExecutable.ts';
import { findNodeRuntime, type NodeRuntime } from './nodeRuntime.ts';
import { fileEntry, readManifestIfAny, writeManifest, type FileEntry, type ReleaseManifest } from './releaseManifest.ts';

export interface BuildOptions {
  root?: string;
  distDir?: string;
  /** Rebuild even when dist/ holds the outputs of the current inputs. */
  force?: boolean;
  /** Where progress lines go (default: stdout). */
  log?: (line: string) => void;
}

export interface BuildResult {
  /** True when dist/ was already current and nothing was built. */
  cached: boolean;
  manifest: ReleaseManifest;
}

interface Build {
  root: string;
  layout: DistLayout;
  stamp: BuildStamp;
  runtime: NodeRuntime;
  log: (line: string) => void;
  /** Why this build runs (staleReason). */
  why: string;
}

export async function build(options: BuildOptions = {}): Promise<BuildResult> {
  const root = options.root ?? REPO_ROOT;
  const layout = distLayout(options.distDir ?? DIST_DIR);
  const log = options.log ?? ((line: string) => console.log(line));
  return withBuildLock(layout.dir, async () => {
    const started = Date.now();
    const stamp = readBuildStamp(root);
    const runtime = findNodeRuntime(root);
    const key = buildKey(root, stamp, runtime.version);
    const stale = options.force ? '--force' : staleReason(layout.dir, key);
    if (stale === undefined) {
      log(`build: dist/ is current (${stamp.version}, rev ${stamp.revision}, Node ${runtime.version}); nothing to do (${seconds(started)})`);
      return { cached: true, manifest: readManifestIfAny(layout.dir)! };
    }
    rmSync(layout.work, { recursive: true, force: true });
    mkdirSync(layout.work, { recursive: true });
    try {
      const files = await buildInWork({ root, layout, stamp, runtime, log, why: stale });
      const manifest = install(layout, stamp, runtime, files, key);
      log(`build: dist/ ready: ${Object.entries(files).map(([n, f]) => `${n} ${mb(f.size)}`).join(', ')}, release.json (${seconds(started)} in all)`);
      return { cached: false, manifest };
    } finally {
      rmSync(layout.work, { recursive: true, force: true });
    }
  });
}

/**
 * Builds every output in dist/.work/ and returns the release files' entries. Bundling is quick
 * and goes first; the slow steps (two postject injections, the payload copy and archive) run at once.
 */
async function buildInWork(b: Build): Promise<Record<string, FileEntry>> {
  const { root, layout, stamp, runtime } = b;
  const step = async <T>(what: string, work: () => T | Promise<T>): Promise<T> => {
    const t = Date.now();
    const result = await work();
    b.log(`build: ${what} (${seconds(t)})`);
    return result;
  };
  b.log(`build: ${stamp.version}, rev ${stamp.revision}, embedding Node ${runtime.version} (${relative(root, runtime.path)}); building because ${b.why}`);
  const bundles = new Map<string, string>();
  for (const spec of EXECUTABLES) {
    bundles.set(spec.name, await step(`bundled ${spec.entry} → ${spec.name}.cjs (esbuild, CommonJS)`, () => bundleEntry(root, spec, stampDefines(stamp), layout.work)));
  }
  const stripped = await step(`stripped Node ${runtime.version} (once per version, kept in ${relative(root, layout.runtimeCache)}/)`, () => strippedRuntime(runtime, layout.runtimeCache));
  const payload = join(layout.work, PAYLOAD_DIR_NAME);
  await Promise.all([
    ...EXECUTABLES.map((spec) => step(`made ${spec.name} (SEA blob, postject into Node)`, () => makeExecutable(runtime, stripped, bundles.get(spec.name)!, join(layout.work, spec.name)))),
    (async () => {
      const count = await step(`copied the agent payload (node-llama-cpp, CPU linux-x64 build) → ${PAYLOAD_DIR_NAME}/`, () => buildPayload(root, payload));
      await step(`archived ${count} packages → ${PAYLOAD_ARCHIVE} (deterministic)`, () => writeDeterministicTarGz(payload, PAYLOAD_DIR_NAME, join(layout.work, PAYLOAD_ARCHIVE)));
    })(),
  ]);
  const files: Record<string, FileEntry> = {};
  await step('hashed the release files', async () => {
    for (const name of [...EXECUTABLES.map((e) => e.name), PAYLOAD_ARCHIVE]) files[name] = await fileEntry(join(layout.work, name));
  });
  return files;
}

/** Moves the outputs from dist/.work/ into dist/, writes release.json, and then the cache key. */
function install(layout: DistLayout, stamp: BuildStamp, runtime: NodeRuntime, files: Record<string, FileEntry>, key: string): ReleaseManifest {
  // The key goes first, so that a build interrupted from here on is seen as stale.
  rmSync(layout.buildKey, { force: true });
  for (const name of Object.keys(files)) renameSync(join(layout.work, name), join(layout.dir, name));
  rmSync(layout.payloadDir, { recursive: true, force: true });
  renameSync(join(layout.work, PAYLOAD_DIR_NAME), layout.payloadDir);
  const manifest = releaseManifest(readManifestIfAny(layout.dir), { version: stamp.version, revision: stamp.revision, node_version: runtime.version, files });
  writeManifest(layout.dir, manifest);
  storeBuildKey(layout.dir, key);
  return manifest;
}

/**
 * The new manifest. Image ids recorded for the previous build stay only when this build made the
 * very same release (same stamp, runtime and file hashes): images made from other files are not
 * this release's.
 */
function releaseManifest(previous: ReleaseManifest | undefined, next: Omit<ReleaseManifest, 'images'>): ReleaseManifest {
  const same =
    previous !== undefined &&
    previous.version === next.version &&
    previous.revision === next.revision &&
    previous.node_version === next.node_version &&
    JSON.stringify(Object.entries(previous.files).sort()) === JSON.stringify(Object.entries(next.files).sort());
  return { ...next, images: same ? previous.images : {} };
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}

function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

if (import.meta.main) {
  build({ force: process.argv.includes('--force') }).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(`build failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
