import { resolve } from 'node:path';
import { keygen } from '../signing.ts';
import type { CliContext } from './cliContext.ts';
import { parseOptions, required } from './parseOptions.ts';

export function keygenCommand(ctx: CliContext): void {
  const { values } = parseOptions('keygen', ctx.argv, { out: { type: 'string', short: 'o' }, force: { type: 'boolean' } });
  const base = resolve(required('keygen', values.out, '-o <name> (writes <name>.key and <name>.pub)'));
  const k = keygen(`${base}.key`, `${base}.pub`, values.force === true);
  ctx.out(`private key ${k.privateKey} (mode 0600: keep it on the signing machine)`);
  ctx.out(`public key  ${k.publicKey} (hand it to sites: portenctl airgap verify --pubkey)`);
  ctx.out(`key id      ${k.keyId}`);
}
