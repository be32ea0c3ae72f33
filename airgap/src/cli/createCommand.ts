import { execFileSync } from 'node:child_process';
import { basename, join, resolve } from 'node:path';
import { readManifest } from '@porten/bundle/releaseManifest';
import { AirgapError } from '../airgapError.ts';
import { parseSize } from '../bundleParts.ts';
import { createBundle, type ModelInput } from '../createBundle.ts';
import type { CliContext } from './cliContext.ts';
import { parseOptions, required } from './parseOptions.ts';

export async function createCommand(ctx: CliContext): Promise<void> {
  const { values, positionals } = parseOptions('create', ctx.argv, {
    release: { type: 'string' },
    models: { type: 'string', multiple: true },
    'models-only': { type: 'boolean' },
    images: { type: 'string' },
    compose: { type: 'string' },
    key: { type: 'string' },
    out: { type: 'string', short: 'o' },
    split: { type: 'string' },
    created: { type: 'string' },
    'expires-in-days': { type: 'string' },
    'min-upgrade-from': { type: 'string' },
  });
  const modelsOnly = values['models-only'] === true;
  // `--models a.gguf b.gguf` (the form) leaves the later files as positionals.
  const modelArgs = [...(values.models ?? []), ...positionals];
  const models: ModelInput[] = modelArgs.map((arg) => {
    const eq = arg.indexOf('=');
    const path = resolve(eq > 0 ? arg.slice(eq + 1) : arg);
    return { id: eq > 0 ? arg.slice(0, eq) : basename(path).replace(/\.gguf$/i, ''), path };
  });
  if (modelsOnly && models.length === 0) throw new AirgapError('usage', 'portenctl airgap create --models-only needs --models <gguf…>');
  const releaseDir = modelsOnly ? '' : resolve(required('create', values.release, '--release <dir> (the dist/ folder of npm run build)'));
  const repoRoot = ctx.repoRoot;
  const composeDir = values.compose ? resolve(values.compose) : repoRoot ? join(repoRoot, 'compose') : '';
  if (!modelsOnly && (!repoRoot || !composeDir)) throw new AirgapError('usage', 'create runs from the repository (npx portenctl airgap create …), which holds the compose files and node_modules for the SBOM');
  const days = Number(values['expires-in-days'] ?? 365);
  if (!Number.isFinite(days) || days <= 0) throw new AirgapError('usage', `--expires-in-days ${values['expires-in-days']}: give a positive number of days`);
  const created = createdTime(values.created, ctx.sourceDateEpoch, releaseDir, repoRoot, ctx.now);
  const result = await createBundle({
    kind: modelsOnly ? 'models' : 'release',
    releaseDir,
    composeDir,
    repoRoot: repoRoot ?? '',
    models,
    ...(values.images !== undefined ? { images: values.images.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
    privateKeyPath: resolve(required('create', values.key, '--key <private key file>')),
    out: resolve(required('create', values.out, '-o <bundle file>')),
    ...(values.split ? { partSize: parseSize(values.split) } : {}),
    created,
    expiresInDays: days,
    minUpgradeFrom: values['min-upgrade-from'] ?? '0.0.0',
    ...(modelsOnly ? {} : { engine: ctx.engine() }),
    progress: ctx.progress,
  });
  const m = result.manifest;
  ctx.out(`bundle ${m.kind} ${m.version} (rev ${m.revision || '-'}), created ${m.created}, expires ${m.expires}, signed by key ${m.signer_key_id}`);
  for (const f of result.files) ctx.out(`  ${f}`);
  ctx.out(`${m.images.length} images, ${m.models.length} models, ${m.components.length} files; made in ${result.seconds.toFixed(1)} s`);
}

/** --created, else SOURCE_DATE_EPOCH, else the commit time of the release's revision, so that the same inputs give the same bundle. */
function createdTime(option: string | undefined, epoch: string | undefined, releaseDir: string, repoRoot: string | undefined, now: () => Date): Date {
  const parse = (text: string, what: string) => {
    const d = /^\d+$/.test(text) ? new Date(Number(text) * 1000) : new Date(text);
    if (Number.isNaN(d.getTime())) throw new AirgapError('usage', `${what} ${text} is not a date; give an ISO 8601 date or seconds since 1970`);
    return d;
  };
  if (option) return parse(option, '--created');
  if (epoch) return parse(epoch, 'SOURCE_DATE_EPOCH');
  if (!releaseDir) return now();
  const revision = readManifest(releaseDir).revision.replace(/-dirty$/, '');
  try {
    const seconds = execFileSync('git', ['-C', repoRoot ?? '.', 'log', '-1', '--format=%ct', revision], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return new Date(Number(seconds) * 1000);
  } catch {
    throw new AirgapError('usage', `cannot read the commit time of revision ${revision}; pass --created <ISO date> (or set SOURCE_DATE_EPOCH)`);
  }
}
