import { AirgapError } from './airgapError.ts';
import { compareVersions, type BundleManifest } from './bundleManifest.ts';
import { bundleFiles } from './bundleParts.ts';
import type { Progress } from './progress.ts';
import { scanBundle, type ScanHooks } from './scanBundle.ts';
import { keyId, readPublicKey } from './signing.ts';

export interface VerifyOptions {
  publicKeyPath: string;
  now: Date;
  /** The version installed on this site (installRecord.ts), if any. */
  installedVersion?: string;
  allowDowngrade: boolean;
  progress: Progress;
}

/** What `verify` proved, kept by auditors (`--json`) and stored in the install record. */
export interface VerificationReport {
  result: 'verified';
  bundle: string;
  parts: number;
  bytes: number;
  bundle_sha256: string;
  kind: BundleManifest['kind'];
  version: string;
  revision: string;
  created: string;
  expires: string;
  signer_key_id: string;
  public_key_id: string;
  checksums_sha256: string;
  installed_version: string | null;
  downgrade_allowed: boolean;
  files: { path: string; sha256: string; size: number }[];
  verified_at: string;
  seconds: number;
}

/**
 * Verifies a bundle (or its parts) fully offline: all parts present, signature, checksums, nothing
 * added or missing (scanBundle.ts), not expired, not older than the installed version unless
 * allowed. Expiry and version are checked as soon as the signed manifest is read, before the
 * contents are. Throws an AirgapError naming what failed; returns the report.
 */
export async function verifyBundle(path: string, o: VerifyOptions, hooks: Omit<ScanHooks, 'onManifest' | 'bar'> = {}): Promise<{ report: VerificationReport; manifest: BundleManifest }> {
  const started = Date.now();
  const key = readPublicKey(o.publicKeyPath);
  const files = bundleFiles(path);
  const bar = o.progress.bar(`verifying ${files.files.length > 1 ? `${files.files.length} parts of ` : ''}${files.bundle}`, files.size);
  const scan = await scanBundle(files, key, o.publicKeyPath, {
    ...hooks,
    bar,
    onManifest: (m) => checkManifestDates(m, o),
  });
  bar.done();
  const m = scan.manifest;
  return {
    manifest: m,
    report: {
      result: 'verified',
      bundle: files.bundle,
      parts: files.files.length,
      bytes: scan.bytes,
      bundle_sha256: scan.bundleSha256,
      kind: m.kind,
      version: m.version,
      revision: m.revision,
      created: m.created,
      expires: m.expires,
      signer_key_id: m.signer_key_id,
      public_key_id: keyId(key),
      checksums_sha256: m.checksums_sha256,
      installed_version: o.installedVersion ?? null,
      downgrade_allowed: o.allowDowngrade,
      files: scan.files,
      verified_at: o.now.toISOString(),
      seconds: (Date.now() - started) / 1000,
    },
  };
}

function checkManifestDates(m: BundleManifest, o: VerifyOptions): void {
  if (o.now.getTime() > Date.parse(m.expires)) {
    throw new AirgapError('expired', `the bundle expired on ${m.expires} (created ${m.created}); ask the release signer for a current bundle`);
  }
  if (m.kind === 'release' && o.installedVersion !== undefined && compareVersions(m.version, o.installedVersion) < 0 && !o.allowDowngrade) {
    throw new AirgapError('downgrade', `the bundle holds version ${m.version}, older than the installed ${o.installedVersion}; pass --allow-downgrade to install it anyway`);
  }
  if (m.kind === 'release' && o.installedVersion !== undefined && compareVersions(o.installedVersion, m.min_upgrade_from) < 0) {
    throw new AirgapError('downgrade', `the bundle upgrades from ${m.min_upgrade_from} or later, but this site runs ${o.installedVersion}; install the intermediate release first`);
  }
}
