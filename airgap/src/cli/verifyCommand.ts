import { resolve } from 'node:path';
import { readInstallRecord } from '../installRecord.ts';
import { verifyBundle, type VerificationReport } from '../verifyBundle.ts';
import type { CliContext } from './cliContext.ts';
import { parseOptions, required } from './parseOptions.ts';

export async function verifyCommand(ctx: CliContext): Promise<void> {
  const { values, positionals } = parseOptions('verify', ctx.argv, {
    pubkey: { type: 'string' },
    dir: { type: 'string' },
    'allow-downgrade': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  const bundle = resolve(required('verify', positionals[0], 'a bundle (or its first part)'));
  const siteDir = resolve(values.dir ?? ctx.siteDir);
  const installed = readInstallRecord(siteDir);
  const { report } = await verifyBundle(bundle, {
    publicKeyPath: resolve(required('verify', values.pubkey, '--pubkey <public key file>')),
    now: ctx.now(),
    ...(installed && installed.kind === 'release' ? { installedVersion: installed.version } : {}),
    allowDowngrade: values['allow-downgrade'] === true,
    progress: ctx.progress,
  });
  if (values.json) ctx.out(JSON.stringify(report, null, 2));
  else for (const line of reportLines(report)) ctx.out(line);
}

export function reportLines(r: VerificationReport): string[] {
  return [
    `VERIFIED ${r.bundle}${r.parts > 1 ? ` (${r.parts} parts)` : ''}`,
    `  bundle sha256     ${r.bundle_sha256} (${r.bytes} bytes)`,
    `  content           ${r.kind} ${r.version} (rev ${r.revision || '-'})`,
    `  signature         ed25519, key id ${r.signer_key_id}, checked with ${r.public_key_id}`,
    `  checksums.txt     sha256 ${r.checksums_sha256}, pinned by the signed manifest`,
    `  files             ${r.files.length} listed, all present, all match, none unlisted`,
    `  validity          created ${r.created}, expires ${r.expires}`,
    `  installed version ${r.installed_version ?? 'none'}${r.downgrade_allowed ? ' (downgrade allowed)' : ''}`,
    `  verified at       ${r.verified_at} in ${r.seconds.toFixed(1)} s, offline`,
  ];
}
