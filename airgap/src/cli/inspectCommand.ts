import { resolve } from 'node:path';
import { inspectBundle } from '../inspectBundle.ts';
import type { CliContext } from './cliContext.ts';
import { parseOptions, required } from './parseOptions.ts';

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

export async function inspectCommand(ctx: CliContext): Promise<void> {
  const { values, positionals } = parseOptions('inspect', ctx.argv, { json: { type: 'boolean' } });
  const i = await inspectBundle(resolve(required('inspect', positionals[0], 'a bundle (or its first part)')));
  if (values.json) {
    ctx.out(JSON.stringify(i, null, 2));
    return;
  }
  const m = i.manifest;
  ctx.out(`${i.bundle}: ${m.kind} bundle ${m.version} (rev ${m.revision || '-'}, Node ${m.node_version || '-'}), ${mb(i.bytes)}${i.parts > 1 ? ` in ${i.parts} parts` : ''} (not verified: run verify)`);
  ctx.out(`  created ${m.created}, expires ${m.expires}, signed by key ${m.signer_key_id}, upgrades from ${m.min_upgrade_from}`);
  for (const c of m.components.filter((c) => c.kind === 'binary' || c.kind === 'compose')) ctx.out(`  ${c.kind.padEnd(8)} ${c.path.padEnd(40)} ${mb(c.size)}`);
  for (const img of m.images) ctx.out(`  image    ${img.tag.padEnd(40)} ${mb(img.size)}  ${img.id.slice(0, 19)}  ${img.layers.length} layers`);
  for (const mod of m.models) ctx.out(`  model    ${mod.id.padEnd(40)} ${mb(mod.size)}  sha256 ${mod.sha256.slice(0, 16)}…`);
  if (i.sbom) ctx.out(`  sbom     ${i.sbom.total} components: ${i.sbom.npm} npm packages, ${i.sbom.deb} Debian packages`);
}
