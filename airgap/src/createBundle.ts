import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, createWriteStream, existsSync, linkSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { entryHeader, padded } from '@porten/bundle/deterministicTar';
import { fileEntry, readManifest, type ReleaseManifest } from '@porten/bundle/releaseManifest';
import { AirgapError } from './airgapError.ts';
import { BUNDLE_FORMAT, manifestBytes, type BundleManifest, type ComponentEntry, type ImageRecord, type ModelRecord } from './bundleManifest.ts';
import { binPath, CHECKSUMS, composePath, contentOrder, imagePath, MANIFEST, modelPath, monitoringPath, SBOM, SIGNATURE } from './bundleLayout.ts';
import { BundleWriter } from './bundleParts.ts';
import { formatChecksums, sha256Hex } from './checksums.ts';
import type { DockerEngine } from './dockerEngine.ts';
import type { Progress } from './progress.ts';
import { buildSbom } from './sbom.ts';
import { keyId, publicOf, readPrivateKey, signManifest } from './signing.ts';

export interface ModelInput {
  id: string;
  path: string;
}

export interface CreateOptions {
  kind: 'release' | 'models';
  /** The release folder (dist/ of `npm run build` + `npm run build:images`). */
  releaseDir: string;
  /** The folder of the Compose files to ship (release bundles). */
  composeDir: string;
  /** The repository, for the npm part of the SBOM. */
  repoRoot: string;
  models: ModelInput[];
  /** Image names to carry (default: every image the release manifest records). */
  images?: string[];
  privateKeyPath: string;
  out: string;
  partSize?: number;
  created: Date;
  expiresInDays: number;
  minUpgradeFrom: string;
  engine?: DockerEngine;
  progress: Progress;
}

/** Executable name → the workspaces it is built from (for the SBOM). */
const EXECUTABLE_SOURCES: Record<string, string[]> = { 'porten-hub': ['hub'], porten: ['agent', 'hub'], portenctl: ['airgap', 'hub'] };
const EXECUTABLE_MODE = new Set(Object.keys(EXECUTABLE_SOURCES));

interface Staged {
  path: string;
  file: string;
  sha256: string;
  size: number;
}

/**
 * Makes a signed bundle (bundleLayout.ts) from a release folder, the local engine's images and
 * model files. Files are gathered in `<out>.work/` first (hard links where the file system allows,
 * `docker save` output), hashed, described by the manifest and signed; then the tar is written
 * straight into the bundle or its parts. The same inputs and creation time give the same bytes.
 */
export async function createBundle(o: CreateOptions): Promise<{ files: string[]; manifest: BundleManifest; seconds: number }> {
  const started = Date.now();
  const key = readPrivateKey(o.privateKeyPath);
  const release: ReleaseManifest = o.kind === 'release' ? readRelease(o.releaseDir) : { version: 'models', revision: '', node_version: '', files: {}, images: {} };
  const work = `${o.out}.work`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(dirname(o.out), { recursive: true });
  mkdirSync(work, { recursive: true });
  try {
    const staged: Staged[] = [];
    const components: ComponentEntry[] = [];
    const images: ImageRecord[] = [];
    const models: ModelRecord[] = [];
    const stage = async (path: string, source: string, kind: ComponentEntry['kind'], name: string) => {
      const file = join(work, path);
      mkdirSync(dirname(file), { recursive: true });
      try {
        linkSync(source, file); // a later rebuild renames new files into place; this link keeps what was hashed
      } catch {
        copyFileSync(source, file);
      }
      const { sha256, size } = await fileEntry(file);
      staged.push({ path, file, sha256, size });
      components.push({ name, kind, path, size });
      return { sha256, size };
    };

    if (o.kind === 'release') {
      for (const name of [...Object.keys(release.files).sort(), 'release.json']) await stage(binPath(name), join(o.releaseDir, name), 'binary', name);
      for (const name of readdirSync(o.composeDir).filter((f) => f.endsWith('.yml')).sort()) await stage(composePath(name), join(o.composeDir, name), 'compose', name);
      // The monitoring overlay mounts ../monitoring/prometheus/*.yml (relative to compose/): ship them at that place.
      const monitoringDir = join(o.composeDir, '..', 'monitoring', 'prometheus');
      const monitoringFiles = existsSync(monitoringDir) ? readdirSync(monitoringDir).filter((f) => f.endsWith('.yml')).sort() : [];
      for (const name of monitoringFiles) await stage(monitoringPath(name), join(monitoringDir, name), 'compose', name);
      for (const name of o.images ?? Object.keys(release.images).sort()) {
        const rec = await saveImage(o, release, name, join(work, imagePath(name)));
        staged.push({ path: rec.path, file: join(work, rec.path), sha256: rec.sha256, size: rec.size });
        components.push({ name, kind: 'image', path: rec.path, size: rec.size });
        images.push({ name, tag: rec.tag, id: rec.id, layers: rec.layers, path: rec.path, size: rec.size });
      }
    }
    for (const m of o.models) {
      if (!existsSync(m.path)) throw new AirgapError('usage', `the model file ${m.path} does not exist; pass GGUF files to --models`);
      const { sha256, size } = await fileEntry(m.path);
      if (models.some((x) => x.id === m.id)) throw new AirgapError('usage', `two models are called ${m.id}; name them with id=path`);
      if (!staged.some((s) => s.path === modelPath(sha256))) await stage(modelPath(sha256), m.path, 'model', m.id);
      models.push({ id: m.id, sha256, size, path: modelPath(sha256) });
    }
    if (o.kind === 'release') {
      const lists = Object.fromEntries(images.map((i) => [i.name, join(o.releaseDir, 'images', `${i.name}.packages.tsv`)]));
      const executables = Object.fromEntries(Object.entries(EXECUTABLE_SOURCES).filter(([exe]) => release.files[exe]));
      const sbom = buildSbom({ version: release.version, created: o.created.toISOString(), repoRoot: o.repoRoot, executables, imagePackageLists: lists });
      const sbomFile = join(work, SBOM);
      await pipeline(async function* () { yield sbom; }, createWriteStream(sbomFile));
      staged.push({ path: SBOM, file: sbomFile, sha256: sha256Hex(sbom), size: sbom.length });
      components.push({ name: 'sbom', kind: 'sbom', path: SBOM, size: sbom.length });
    }

    const checksums = formatChecksums(staged);
    const manifest: BundleManifest = {
      format: BUNDLE_FORMAT,
      kind: o.kind,
      version: release.version,
      revision: release.revision,
      min_upgrade_from: o.minUpgradeFrom,
      node_version: release.node_version,
      created: o.created.toISOString(),
      expires: new Date(o.created.getTime() + o.expiresInDays * 86_400_000).toISOString(),
      signer_key_id: keyId(publicOf(key)),
      checksums_sha256: sha256Hex(checksums),
      components: components.sort((a, b) => (a.path < b.path ? -1 : 1)),
      images,
      models,
    };
    const mbytes = manifestBytes(manifest);
    const sig = Buffer.from(signManifest(mbytes, key));
    const files = await writeTar(o, [
      { path: MANIFEST, data: mbytes },
      { path: SIGNATURE, data: sig },
      { path: CHECKSUMS, data: checksums },
      ...staged.sort(contentOrder).map((s) => ({ path: s.path, file: s.file, size: s.size })),
    ]);
    return { files, manifest, seconds: (Date.now() - started) / 1000 };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function readRelease(dir: string): ReleaseManifest {
  try {
    return readManifest(dir);
  } catch (err) {
    throw new AirgapError('release_invalid', `${(err as Error).message}`);
  }
}

async function saveImage(o: CreateOptions, release: ReleaseManifest, name: string, file: string): Promise<{ tag: string; id: string; layers: string[]; path: string; sha256: string; size: number }> {
  if (!o.engine) throw new AirgapError('docker_unavailable', 'a release bundle needs the Docker engine to save the images');
  const tag = release.images[name]?.tag ?? `porten/${name}:${release.version}`;
  const facts = await o.engine.image(tag);
  if (!facts) throw new AirgapError('release_invalid', `the image ${tag} is not in the Docker engine; build it with \`npm run build:images\``);
  const recorded = release.images[name]?.id;
  if (recorded && recorded !== facts.id) throw new AirgapError('release_invalid', `${tag} in the engine is ${facts.id.slice(0, 19)}, but the release manifest records ${recorded.slice(0, 19)}; rebuild the images (\`npm run build:images\`) so they match the release`);
  mkdirSync(dirname(file), { recursive: true });
  const bar = o.progress.bar(`saving ${tag}`, facts.size);
  const hash = createHash('sha256');
  let size = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      bar.advance(chunk.length);
      cb(null, chunk);
    },
  });
  await pipeline(await o.engine.save(tag), tap, createWriteStream(file));
  bar.done();
  return { tag, id: facts.id, layers: facts.layers, path: imagePath(name), sha256: hash.digest('hex'), size };
}

type TarInput = { path: string; data: Buffer } | { path: string; file: string; size: number };

async function writeTar(o: CreateOptions, entries: TarInput[]): Promise<string[]> {
  const total = entries.reduce((n, e) => n + ('data' in e ? e.data.length : e.size), 0);
  const writer = new BundleWriter(o.out, o.partSize);
  const bar = o.progress.bar(`writing ${basename(o.out)}${o.partSize ? ' in parts' : ''}`, total);
  for (const e of entries) {
    const size = 'data' in e ? e.data.length : e.size;
    const mode = EXECUTABLE_MODE.has(e.path.replace(/^bin\//, '')) ? 0o755 : 0o644;
    writer.write(entryHeader(e.path, 'file', size, mode));
    if ('data' in e) writer.write(padded(e.data));
    else {
      let n = 0;
      for await (const chunk of createReadStream(e.file, { highWaterMark: 1 << 20 })) {
        writer.write(chunk as Buffer);
        n += (chunk as Buffer).length;
        bar.advance((chunk as Buffer).length);
      }
      if (n !== e.size || statSync(e.file).size !== e.size) throw new AirgapError('release_invalid', `${e.file} changed while the bundle was written; run create again`);
      writer.write(Buffer.alloc((512 - (n % 512)) % 512));
    }
  }
  writer.write(Buffer.alloc(1024));
  bar.done();
  return writer.finish();
}
