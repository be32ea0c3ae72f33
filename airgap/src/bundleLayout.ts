/**
 * The air-gap bundle's layout — the one description of it, used by create, verify, inspect, install
 * and (later) the upgrade CLI. A bundle is one uncompressed tar (docs/airgap.md says why), entries in
 * this order:
 *
 *   manifest.json            what the bundle is (bundleManifest.ts); pins checksums.txt's sha256
 *   manifest.sig             ed25519 signature over manifest.json's bytes, base64, one line
 *   checksums.txt            `<sha256>  <path>` for every entry below, sorted by path
 *   sbom.cdx.json            CycloneDX SBOM: npm packages of the executables, Debian packages of the
 *                            images (early, so that `inspect` reads only the head of a bundle)
 *   then, sorted by path:
 *   bin/<file>               the release's executables, payload archive and release.json
 *   compose/<file>.yml       the Compose stacks
 *   images/<name>.tar        `docker save` of porten/<name>:<version>
 *   monitoring/prometheus/<file>.yml  the monitoring overlay's configuration (compose/ names it as ../monitoring/…)
 *   models/sha256-<hex>.gguf model weights, named by their sha256
 *
 * Split into parts, the tar's bytes are cut into `<bundle>.part-0001-of-0003`, … (partName): the
 * count in every name lets verify say which part is missing, and reading the parts in order gives
 * back the tar byte for byte, so nothing is ever reassembled on disk.
 */
import { basename, dirname, join } from 'node:path';

export const MANIFEST = 'manifest.json';
export const SIGNATURE = 'manifest.sig';
export const CHECKSUMS = 'checksums.txt';
export const SBOM = 'sbom.cdx.json';
/** The entries that open every bundle, in this order; checksums.txt covers everything after them. */
export const HEAD_ENTRIES = [MANIFEST, SIGNATURE, CHECKSUMS] as const;

export const binPath = (file: string) => `bin/${file}`;
export const composePath = (file: string) => `compose/${file}`;
export const imagePath = (name: string) => `images/${name}.tar`;
export const monitoringPath = (file: string) => `monitoring/prometheus/${file}`;
export const modelPath = (sha256: string) => `models/sha256-${sha256}.gguf`;

/** Entry paths a bundle may hold (anything else is refused before it is written anywhere). */
export const ENTRY_PATH = /^(bin\/[A-Za-z0-9._-]+|compose\/[A-Za-z0-9._-]+\.yml|images\/[a-z0-9-]+\.tar|monitoring\/prometheus\/[A-Za-z0-9._-]+\.yml|models\/sha256-[0-9a-f]{64}\.gguf|sbom\.cdx\.json)$/;

/** Fixed mtime of every entry (the tar's bytes depend only on the files' names and contents). */
export const ENTRY_MTIME = 0;

const PART = /^(.*)\.part-(\d{4})-of-(\d{4})$/;

export function partName(bundle: string, index: number, count: number): string {
  return `${bundle}.part-${String(index).padStart(4, '0')}-of-${String(count).padStart(4, '0')}`;
}

/** For `x.tar.part-0001-of-0003`: the bundle's path and the part count; undefined for a whole bundle. */
export function parsePartName(path: string): { bundle: string; count: number } | undefined {
  const m = PART.exec(basename(path));
  if (!m) return undefined;
  return { bundle: join(dirname(path), m[1]!), count: Number(m[3]) };
}

/** The order of the entries after the head: the SBOM first, then by path. */
export function contentOrder(a: { path: string }, b: { path: string }): number {
  if (a.path === SBOM || b.path === SBOM) return a.path === SBOM ? -1 : 1;
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}
