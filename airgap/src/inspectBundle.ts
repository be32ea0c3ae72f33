import { AirgapError } from './airgapError.ts';
import { HEAD_ENTRIES, SBOM } from './bundleLayout.ts';
import { parseManifest, type BundleManifest } from './bundleManifest.ts';
import { bundleBytes, bundleFiles } from './bundleParts.ts';
import { sbomSummary } from './sbom.ts';
import { readTar } from './tarReader.ts';

export interface Inspection {
  bundle: string;
  parts: number;
  bytes: number;
  manifest: BundleManifest;
  sbom: { npm: number; deb: number; total: number } | null;
}

/**
 * What a bundle holds, read from its manifest and SBOM — the first entries, so only the head of the
 * bundle is read — without verifying or installing anything (`verify` establishes trust).
 */
export async function inspectBundle(path: string): Promise<Inspection> {
  const files = bundleFiles(path);
  let manifest: BundleManifest | undefined;
  let sbom: Inspection['sbom'] = null;
  let index = 0;
  for await (const entry of readTar(bundleBytes(files))) {
    if (index < HEAD_ENTRIES.length && entry.path !== HEAD_ENTRIES[index]) {
      throw new AirgapError('bundle_unreadable', `${files.bundle} is not a Porten bundle: entry ${index + 1} is ${JSON.stringify(entry.path)}, expected ${HEAD_ENTRIES[index]}`);
    }
    if (index === 0 || entry.path === SBOM) {
      const chunks: Buffer[] = [];
      for await (const c of entry.body) chunks.push(c);
      if (index === 0) manifest = parseManifest(Buffer.concat(chunks));
      else sbom = sbomSummary(Buffer.concat(chunks));
    }
    index++;
    if (manifest && (sbom || !manifest.components.some((c) => c.path === SBOM))) break;
  }
  if (!manifest) throw new AirgapError('bundle_unreadable', `${files.bundle} holds no manifest.json; it is not a Porten bundle`);
  return { bundle: files.bundle, parts: files.files.length, bytes: files.size, manifest, sbom };
}
