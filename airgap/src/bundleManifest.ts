import { AirgapError } from './airgapError.ts';

export const BUNDLE_FORMAT = 'porten-airgap-bundle/1';

/** A file in the bundle that is part of what gets installed. */
export interface ComponentEntry {
  /** `hub`, `agent`, `database`, … for images; the file name for binaries and compose files. */
  name: string;
  kind: 'binary' | 'compose' | 'image' | 'model' | 'sbom';
  path: string;
  size: number;
}

export interface ImageRecord {
  /** Image name (`hub`, `postgres`, …); tagged `porten/<name>:<version>`. */
  name: string;
  tag: string;
  /** The image id (`sha256:…`, the config's digest) that `docker load` must produce. */
  id: string;
  /** The uncompressed layer digests (RootFS diff ids), in order. */
  layers: string[];
  path: string;
  size: number;
}

export interface ModelRecord {
  /** Catalog id the model is imported as. */
  id: string;
  sha256: string;
  size: number;
  path: string;
}

/**
 * manifest.json: what a bundle holds. Signed (manifest.sig); pins checksums.txt by its sha256, which
 * in turn pins every other file. `kind: models` bundles carry models only (the model mirror).
 */
export interface BundleManifest {
  format: typeof BUNDLE_FORMAT;
  kind: 'release' | 'models';
  version: string;
  revision: string;
  /** The oldest installed version this bundle may upgrade (`0.0.0`: any). */
  min_upgrade_from: string;
  node_version: string;
  /** ISO 8601, UTC. */
  created: string;
  expires: string;
  signer_key_id: string;
  checksums_sha256: string;
  components: ComponentEntry[];
  images: ImageRecord[];
  models: ModelRecord[];
}

/** Canonical bytes: 2-space JSON, fields in the interface's order, a newline. */
export function manifestBytes(m: BundleManifest): Buffer {
  const ordered: BundleManifest = {
    format: m.format,
    kind: m.kind,
    version: m.version,
    revision: m.revision,
    min_upgrade_from: m.min_upgrade_from,
    node_version: m.node_version,
    created: m.created,
    expires: m.expires,
    signer_key_id: m.signer_key_id,
    checksums_sha256: m.checksums_sha256,
    components: m.components,
    images: m.images,
    models: m.models,
  };
  return Buffer.from(`${JSON.stringify(ordered, null, 2)}\n`);
}

/** Parses manifest.json (already known to be signed); names every problem at once. */
export function parseManifest(bytes: Buffer): BundleManifest {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new AirgapError('bundle_unreadable', 'manifest.json is not JSON; the bundle is damaged: ask for a new copy');
  }
  const problems: string[] = [];
  if (raw.format !== BUNDLE_FORMAT) problems.push(`format is ${JSON.stringify(raw.format)}, not ${BUNDLE_FORMAT} (a newer portenctl may read it)`);
  for (const key of ['version', 'min_upgrade_from', 'created', 'expires', 'checksums_sha256'] as const) {
    if (typeof raw[key] !== 'string' || raw[key] === '') problems.push(`${key} is missing`);
  }
  // A model-only bundle comes from no release: no revision, no Node version.
  for (const key of ['revision', 'node_version'] as const) if (typeof raw[key] !== 'string') problems.push(`${key} is missing`);
  for (const key of ['components', 'images', 'models'] as const) if (!Array.isArray(raw[key])) problems.push(`${key} is not a list`);
  if (problems.length > 0) throw new AirgapError('bundle_unreadable', `manifest.json is invalid: ${problems.join('; ')}`);
  return raw as unknown as BundleManifest;
}

/** Compares dotted versions numerically (`0.10.0` > `0.9.1`); a pre-release suffix sorts before its release. */
export function compareVersions(a: string, b: string): number {
  const split = (v: string) => {
    const [core, pre] = v.split('-', 2);
    return { nums: core!.split('.').map((n) => Number(n) || 0), pre };
  };
  const x = split(a);
  const y = split(b);
  for (let i = 0; i < Math.max(x.nums.length, y.nums.length); i++) {
    const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}
