import { resolve } from 'node:path';
import { AirgapError } from '../airgapError.ts';
import { installBundle } from '../installBundle.ts';
import type { CliContext } from './cliContext.ts';
import { parseOptions, required } from './parseOptions.ts';

export async function installCommand(ctx: CliContext): Promise<void> {
  const { values, positionals } = parseOptions('install', ctx.argv, {
    pubkey: { type: 'string' },
    dir: { type: 'string' },
    project: { type: 'string' },
    port: { type: 'string' },
    bind: { type: 'string' },
    'allow-downgrade': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  const port = Number(values.port ?? 8080);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new AirgapError('usage', `--port ${values.port}: give a TCP port number`);
  const outcome = await installBundle({
    bundle: resolve(required('install', positionals[0], 'a bundle (or its first part)')),
    publicKeyPath: resolve(required('install', values.pubkey, '--pubkey <public key file>')),
    siteDir: resolve(values.dir ?? ctx.siteDir),
    project: values.project ?? 'porten',
    hubPort: port,
    bindAddress: values.bind ?? '127.0.0.1',
    allowDowngrade: values['allow-downgrade'] === true,
    engine: ctx.engine(),
    progress: ctx.progress,
    now: ctx.now,
  });
  if (values.json) {
    ctx.out(JSON.stringify(outcome, null, 2));
    return;
  }
  const s = outcome.seconds;
  ctx.out(`INSTALLED ${outcome.record.kind} ${outcome.record.version} (bundle sha256 ${outcome.record.bundle_sha256.slice(0, 16)}…)${outcome.hubUrl ? ` — hub at ${outcome.hubUrl}` : ''}`);
  ctx.out(`  verify ${s.verify.toFixed(1)} s, load/unpack ${s.load.toFixed(1)} s, start ${s.start.toFixed(1)} s, models ${s.models.toFixed(1)} s, total ${s.total.toFixed(1)} s`);
}
