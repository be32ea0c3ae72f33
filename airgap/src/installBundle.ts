import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AdminClient } from './site/adminClient.ts';
import { ensureCatalogModel } from './site/catalogModel.ts';
import { bringUpPlatform, platformProject } from './site/platform.ts';
import { AirgapError } from './airgapError.ts';
import type { BundleManifest } from './bundleManifest.ts';
import type { DockerEngine } from './dockerEngine.ts';
import { readInstallRecord, writeInstallRecord, type InstallRecord } from './installRecord.ts';
import { failPreflight, preflight } from './preflight.ts';
import type { Progress } from './progress.ts';
import { verifyBundle, type VerificationReport } from './verifyBundle.ts';

export interface InstallOptions {
  bundle: string;
  publicKeyPath: string;
  siteDir: string;
  /** Compose project of the platform stack (default `porten`). */
  project: string;
  hubPort: number;
  bindAddress: string;
  allowDowngrade: boolean;
  engine: DockerEngine;
  progress: Progress;
  now: () => Date;
}

export interface InstallOutcome {
  record: InstallRecord;
  hubUrl: string | null;
  seconds: { verify: number; load: number; start: number; models: number; total: number };
}

/** Where a version's files live on the site: `<site>/release/<version>/{bin,compose}/…`. */
export const releaseDir = (siteDir: string, version: string) => join(siteDir, 'release', version);
export const modelsDir = (siteDir: string) => join(siteDir, 'models');

/**
 * Installs a bundle: verify (nothing is written before it passes) → preflight → a second read of the
 * bundle that loads the images the engine does not hold yet and writes the release files and models
 * (checked against the same checksums as they are read) → the platform stack from the bundle's
 * compose files and the site's generated secrets → health → models into the hub's catalog and
 * mirror → the install record (site folder and hub). Every step is idempotent, so a re-run resumes.
 * When a step fails after this run started the platform, the platform is stopped again (`down`,
 * volumes kept), and the error names the step and what to fix.
 */
export async function installBundle(o: InstallOptions): Promise<InstallOutcome> {
  const t0 = Date.now();
  const startedAt = o.now().toISOString();
  const installed = readInstallRecord(o.siteDir);
  const { report, manifest } = await verifyBundle(o.bundle, {
    publicKeyPath: o.publicKeyPath,
    now: o.now(),
    ...(installed && installed.kind === 'release' ? { installedVersion: installed.version } : {}),
    allowDowngrade: o.allowDowngrade,
    progress: o.progress,
  });
  const tVerified = Date.now();

  const loaded = new Set<string>();
  for (const img of manifest.images) if ((await o.engine.image(img.tag))?.id === img.id) loaded.add(img.id);
  const hubRunning = manifest.kind === 'release' && (await hubAnswers(o.bindAddress, o.hubPort));
  failPreflight(await preflight(manifest, o.engine, { siteDir: o.siteDir, hubPort: o.hubPort, bindAddress: o.bindAddress, loaded, hubRunning }));
  o.progress.line(`preflight passed (${manifest.images.length - loaded.size} images to load, ${loaded.size} already loaded)`);

  await unpack(o, manifest, loaded);
  const tUnpacked = Date.now();

  if (manifest.kind === 'models') {
    const hub = await runningHub(o);
    await importModels(o, manifest, hub);
    const record = await finish(o, manifest, report, startedAt, hub);
    const tEnd = Date.now();
    return { record, hubUrl: hub.hubUrl, seconds: { verify: (tVerified - t0) / 1000, load: (tUnpacked - tVerified) / 1000, start: 0, models: (tEnd - tUnpacked) / 1000, total: (tEnd - t0) / 1000 } };
  }

  const stack = await platformProject(o.siteDir, o.project).catch(() => undefined);
  const wasRunning = existsSync(join(o.siteDir, 'porten.env')) && stack !== undefined && (await stack.health('hub').catch(() => 'missing')) !== 'missing';
  let tStarted = tUnpacked;
  try {
    const platform = await step('starting the platform', () =>
      bringUpPlatform({
        siteDir: o.siteDir,
        project: o.project,
        version: manifest.version,
        hubPort: o.hubPort,
        bindAddress: o.bindAddress,
        composeDir: join(releaseDir(o.siteDir, manifest.version), 'compose'),
        step: (line) => o.progress.line(line),
      }),
    );
    tStarted = Date.now();
    const hub = { hubUrl: platform.hubUrl, admin: new AdminClient(platform.hubUrl, platform.settings.PORTEN_ADMIN_TOKEN) };
    await importModels(o, manifest, hub);
    const record = await finish(o, manifest, report, startedAt, hub);
    const tEnd = Date.now();
    return {
      record,
      hubUrl: platform.hubUrl,
      seconds: { verify: (tVerified - t0) / 1000, load: (tUnpacked - tVerified) / 1000, start: (tStarted - tUnpacked) / 1000, models: (tEnd - tStarted) / 1000, total: (tEnd - t0) / 1000 },
    };
  } catch (err) {
    if (!wasRunning) {
      const stop = await platformProject(o.siteDir, o.project).then((s) => s.down(false)).then(() => 'the platform stack this install started was stopped (data volumes kept)', (e: Error) => `stopping the platform stack failed too (${e.message})`);
      throw new AirgapError('install_failed', `${(err as Error).message}; ${stop}; fix that and run install again (it resumes)`, { cause: err });
    }
    throw new AirgapError('install_failed', `${(err as Error).message}; the platform that was running before is left running; fix that and run install again (it resumes)`, { cause: err });
  }
}

async function step<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw new AirgapError('install_failed', `install stopped while ${what}: ${(err as Error).message.split('\n').join(' | ')}`, { cause: err });
  }
}

/** The second read: images into the engine (unless held), files into `<site>/release/<version>.partial/` then renamed, models into `<site>/models/`. */
async function unpack(o: InstallOptions, m: BundleManifest, loaded: Set<string>): Promise<void> {
  const target = releaseDir(o.siteDir, m.version);
  const partial = `${target}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(modelsDir(o.siteDir), { recursive: true, mode: 0o700 });
  await verifyBundle(
    o.bundle,
    { publicKeyPath: o.publicKeyPath, now: o.now(), allowDowngrade: true, progress: { line: () => {}, bar: (label, total) => o.progress.bar(label.replace(/^verifying/, 'unpacking'), total) } },
    {
      onEntry: async (entry) => {
        const image = m.images.find((i) => i.path === entry.path);
        if (image) {
          if (loaded.has(image.id)) return; // already in the engine: the scan just hashes it
          await step(`loading ${image.tag}`, () => o.engine.load(Readable.from(entry.body)));
          const got = await o.engine.image(image.tag);
          if (got?.id !== image.id) throw new AirgapError('install_failed', `docker load of ${entry.path} gave ${got?.id ?? 'no image'}, not ${image.id} as the manifest says; the engine may be altering images: check it and run install again`);
          return;
        }
        const file = entry.path.startsWith('models/') ? join(modelsDir(o.siteDir), entry.path.slice('models/'.length)) : join(partial, entry.path);
        mkdirSync(dirname(file), { recursive: true });
        await pipeline(Readable.from(entry.body), createWriteStream(`${file}.tmp`, { mode: entry.path.startsWith('bin/porten') && !entry.path.endsWith('.gz') ? 0o755 : 0o644 }));
        renameSync(`${file}.tmp`, file);
      },
    },
  );
  if (existsSync(partial)) {
    // a model-only bundle carries no release files
    rmSync(target, { recursive: true, force: true });
    renameSync(partial, target);
  }
  // The compose files name porten/<name>:<version>, whatever tag the image was saved under.
  for (const image of m.images) await step(`tagging ${image.tag}`, () => o.engine.tag(image.id, `porten/${image.name}`, m.version));
}

async function runningHub(o: InstallOptions): Promise<{ hubUrl: string; admin: AdminClient }> {
  const { readSiteEnv } = await import('./site/siteEnv.ts');
  const env = readSiteEnv(o.siteDir);
  const hubUrl = `http://${env.PORTEN_BIND_ADDRESS ?? o.bindAddress}:${env.PORTEN_HUB_PORT ?? o.hubPort}`;
  if (!(await hubAnswers(env.PORTEN_BIND_ADDRESS ?? o.bindAddress, Number(env.PORTEN_HUB_PORT ?? o.hubPort)))) {
    throw new AirgapError('install_failed', `a model bundle goes into a running hub, but none answers at ${hubUrl}; install the release bundle first (or start the platform)`);
  }
  return { hubUrl, admin: new AdminClient(hubUrl, env.PORTEN_ADMIN_TOKEN ?? '') };
}

async function importModels(o: InstallOptions, m: BundleManifest, hub: { admin: AdminClient }): Promise<void> {
  for (const model of m.models) {
    const r = await step(`importing the model ${model.id}`, () => ensureCatalogModel(hub.admin, model.id, join(modelsDir(o.siteDir), model.path.slice('models/'.length))));
    o.progress.line(`model ${model.id}: ${r.imported ? 'imported into the catalog and mirror' : 'already in the catalog'}`);
  }
}

async function finish(o: InstallOptions, m: BundleManifest, report: VerificationReport, startedAt: string, hub: { admin: AdminClient }): Promise<InstallRecord> {
  const { files, ...rest } = report;
  const record: InstallRecord = {
    version: m.version,
    revision: m.revision,
    kind: m.kind,
    bundle_sha256: report.bundle_sha256,
    signer_key_id: m.signer_key_id,
    verification: { ...rest, files: files.length },
    images: m.images.map((i) => ({ name: i.name, id: i.id })),
    models: m.models.map((x) => ({ id: x.id, sha256: x.sha256 })),
    started_at: startedAt,
    finished_at: o.now().toISOString(),
  };
  await step('recording the install in the hub', () => hub.admin.call('POST', '/installs', record));
  if (m.kind === 'release' || !readInstallRecord(o.siteDir)) writeInstallRecord(o.siteDir, record);
  return record;
}

async function hubAnswers(host: string, port: number): Promise<boolean> {
  const h = host === '0.0.0.0' ? '127.0.0.1' : host;
  return fetch(`http://${h}:${port}/readyz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status === 200, () => false);
}
