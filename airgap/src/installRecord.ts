import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from '@porten/shared/writeFileAtomic';
import { join } from 'node:path';
import { AirgapError } from './airgapError.ts';
import type { VerificationReport } from './verifyBundle.ts';

/**
 * `<site>/install-record.json`: what this site last installed from a bundle, written when an
 * install finished (and sent to the hub, which shows it to auditors). verify reads its version to
 * refuse older bundles.
 */
export interface InstallRecord {
  version: string;
  revision: string;
  kind: 'release' | 'models';
  bundle_sha256: string;
  signer_key_id: string;
  verification: Omit<VerificationReport, 'files'> & { files: number };
  images: { name: string; id: string }[];
  models: { id: string; sha256: string }[];
  started_at: string;
  finished_at: string;
}

export const installRecordPath = (siteDir: string) => join(siteDir, 'install-record.json');

export function readInstallRecord(siteDir: string): InstallRecord | undefined {
  const path = installRecordPath(siteDir);
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as InstallRecord;
  } catch (err) {
    throw new AirgapError('install_failed', `cannot read ${path} (${(err as Error).message}); restore it from a backup or remove it to install without the version check`);
  }
}

export function writeInstallRecord(siteDir: string, record: InstallRecord): void {
  const path = installRecordPath(siteDir);
  writeFileAtomic(path, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600, durable: true });
}
