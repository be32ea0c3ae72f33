import { createHash } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { AirgapError } from './airgapError.ts';
import { CHECKSUMS, HEAD_ENTRIES, MANIFEST, SIGNATURE } from './bundleLayout.ts';
import { parseManifest, type BundleManifest } from './bundleManifest.ts';
import { bundleBytes, type BundleFiles } from './bundleParts.ts';
import { parseChecksums, sha256Hex } from './checksums.ts';
import type { ProgressBar } from './progress.ts';
import { keyId, signatureValid } from './signing.ts';
import { readTar, type TarEntry } from './tarReader.ts';

export interface ScanResult {
  manifest: BundleManifest;
  /** sha256 of the bundle's bytes (all parts in order). */
  bundleSha256: string;
  bytes: number;
  files: { path: string; sha256: string; size: number }[];
}

export interface ScanHooks {
  /** Called once the signed manifest is read, before any content is: refuse early (expiry, downgrade). */
  onManifest?: (manifest: BundleManifest) => void;
  /**
   * Called for each content entry with a body that is hashed as it is read. What it does with the
   * bytes is provisional until it returns and the hash matches; when this hook is absent the body
   * is only hashed.
   */
  onEntry?: (entry: TarEntry, sha256: string) => Promise<void>;
  bar?: ProgressBar;
}

/**
 * Reads a bundle once, start to end, and proves it whole: manifest.json, manifest.sig and
 * checksums.txt come first; the signature holds for `publicKey`; checksums.txt has the sha256 the
 * manifest pins; every later entry is listed there and has that sha256; nothing listed is missing.
 * Throws the first failure as an AirgapError naming the file and what failed. Nothing is extracted.
 */
export async function scanBundle(b: BundleFiles, publicKey: KeyObject, publicKeyPath: string, hooks: ScanHooks = {}): Promise<ScanResult> {
  const whole = createHash('sha256');
  let bytes = 0;
  const source = (async function* () {
    for await (const chunk of bundleBytes(b)) {
      whole.update(chunk);
      bytes += chunk.length;
      hooks.bar?.advance(chunk.length);
      yield chunk;
    }
  })();
  const head: Buffer[] = [];
  let manifest: BundleManifest | undefined;
  let listed = new Map<string, string>();
  const seen = new Set<string>();
  const files: ScanResult['files'] = [];
  for await (const entry of readTar(source)) {
    if (head.length < HEAD_ENTRIES.length) {
      const want = HEAD_ENTRIES[head.length]!;
      if (entry.path !== want) throw new AirgapError('bundle_unreadable', `${b.bundle} is not a Porten bundle: entry ${head.length + 1} is ${JSON.stringify(entry.path)}, expected ${want}`);
      if (entry.size > 16 * 1024 * 1024) throw new AirgapError('bundle_unreadable', `${want} is ${entry.size} bytes, far more than any bundle's; the bundle is damaged`);
      const chunks: Buffer[] = [];
      for await (const c of entry.body) chunks.push(c);
      head.push(Buffer.concat(chunks));
      if (head.length === HEAD_ENTRIES.length) {
        const [mbytes, sig, sums] = head as [Buffer, Buffer, Buffer];
        if (!signatureValid(mbytes, sig.toString('utf8'), publicKey)) {
          throw new AirgapError('signature_invalid', `${SIGNATURE} does not verify ${MANIFEST} with the public key ${publicKeyPath} (key id ${keyId(publicKey)}): the bundle was not signed with this site's release key, or its manifest was altered; do not install it`);
        }
        manifest = parseManifest(mbytes);
        if (sha256Hex(sums) !== manifest.checksums_sha256) {
          throw new AirgapError('checksum_mismatch', `${CHECKSUMS} does not match the sha256 the signed manifest pins (${sha256Hex(sums).slice(0, 16)}… ≠ ${manifest.checksums_sha256.slice(0, 16)}…): a checksum line was altered; do not install it`);
        }
        listed = parseChecksums(sums);
        hooks.onManifest?.(manifest);
      }
      continue;
    }
    if (entry.type !== 'file') throw new AirgapError('file_unlisted', `${entry.path} is a ${entry.type === 'dir' ? 'directory' : 'special'} entry, which bundles never hold: it was added; do not install it`);
    const want = listed.get(entry.path);
    if (want === undefined || seen.has(entry.path)) {
      throw new AirgapError('file_unlisted', `${entry.path} is in the bundle but ${seen.has(entry.path) ? 'appears twice' : `not in ${CHECKSUMS}`}: a file was added after signing; do not install it`);
    }
    seen.add(entry.path);
    const hash = createHash('sha256');
    const hashed = (async function* () {
      for await (const c of entry.body) {
        hash.update(c);
        yield c;
      }
    })();
    if (hooks.onEntry) await hooks.onEntry({ ...entry, body: hashed }, want);
    else for await (const _ of hashed);
    for await (const _ of hashed); // whatever the hook left unread still counts
    const got = hash.digest('hex');
    if (got !== want) {
      throw new AirgapError('checksum_mismatch', `${entry.path}: sha256 ${got.slice(0, 16)}… ≠ ${want.slice(0, 16)}… in ${CHECKSUMS}: the file was altered or damaged in transfer; ask for a new copy and do not install this one`);
    }
    files.push({ path: entry.path, sha256: got, size: entry.size });
  }
  if (!manifest) throw new AirgapError('bundle_unreadable', `${b.bundle} ends before its ${HEAD_ENTRIES[head.length]}: it is not a Porten bundle or it is truncated`);
  const missing = [...listed.keys()].filter((p) => !seen.has(p));
  if (missing.length > 0) throw new AirgapError('file_missing', `${CHECKSUMS} lists ${missing.join(', ')}, which the bundle does not hold: it is incomplete or was altered; ask for a new copy`);
  return { manifest, bundleSha256: whole.digest('hex'), bytes, files };
}
