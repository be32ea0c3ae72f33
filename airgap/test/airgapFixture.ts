import { execFile } from 'node:child_process';
import { closeSync, copyFileSync, linkSync, mkdirSync, mkdtempSync, openSync, readSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeTinyLlama } from '@porten/agent/gguf/writeTinyLlama';
import { readManifest, writeManifest } from '@porten/bundle/releaseManifest';
import { bundleBytes, bundleFiles } from '../src/bundleParts.ts';
import { readTar } from '../src/tarReader.ts';
import { findRepoRoot } from '@porten/shared/repoRoot';

export const REPO = findRepoRoot(import.meta.dirname);
export const NODE = join(REPO, 'node_modules', '.bin', 'node');
export const MAIN = join(REPO, 'airgap', 'src', 'main.ts');
export const DIST = join(REPO, 'dist');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `portenctl <args>` from source with the project's Node, as a user would (`npx portenctl …`). */
export function portenctl(args: string[], env: Record<string, string> = {}, prefix: string[] = []): Promise<RunResult> {
  const [cmd, ...pre] = prefix.length > 0 ? prefix : [NODE];
  const argv = prefix.length > 0 ? [...pre, NODE, MAIN, ...args] : [MAIN, ...args];
  return new Promise((resolve) => {
    execFile(cmd!, argv, { env: { PATH: `${join(REPO, 'node_modules', '.bin')}:/usr/sbin:/usr/bin:/sbin:/bin`, ...env }, maxBuffer: 64 << 20, timeout: 900_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

export function tempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `porten-${name}-`));
}

/** A key pair and a tiny real GGUF in a fresh folder. */
export async function fixtureInputs(dir: string): Promise<{ key: string; pub: string; otherPub: string; model: string }> {
  const model = join(dir, 'demo-chat.gguf');
  await writeTinyLlama(model);
  for (const name of ['release', 'other']) {
    const r = await portenctl(['airgap', 'keygen', '-o', join(dir, name)]);
    if (r.code !== 0) throw new Error(`keygen failed: ${r.stderr}`);
  }
  return { key: join(dir, 'release.key'), pub: join(dir, 'release.pub'), otherPub: join(dir, 'other.pub'), model };
}

/** Where each entry's content starts in a bundle, and its size. */
export async function entryOffsets(bundle: string): Promise<Map<string, { offset: number; size: number }>> {
  const out = new Map<string, { offset: number; size: number }>();
  for await (const e of readTar(bundleBytes(bundleFiles(bundle)))) out.set(e.path, { offset: e.offset, size: e.size });
  return out;
}

/** Inverts the bits of one byte in place; calling it twice restores the file. */
export function flipByte(file: string, offset: number): void {
  const fd = openSync(file, 'r+');
  try {
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, offset);
    b[0] = b[0]! ^ 0xff;
    writeSync(fd, b, 0, 1, offset);
  } finally {
    closeSync(fd);
  }
}

export function readByte(file: string, offset: number): number {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, offset);
    return b[0]!;
  } finally {
    closeSync(fd);
  }
}

export function writeByte(file: string, offset: number, value: number): void {
  const fd = openSync(file, 'r+');
  try {
    writeSync(fd, Buffer.from([value]), 0, 1, offset);
  } finally {
    closeSync(fd);
  }
}

/** Test images are pinned under a repository name of their own (one per test file, default this one), so a rebuild of porten/* meanwhile changes nothing under a test. */
export const PINNED_REPO = 'porten-airgaptest';

/**
 * A snapshot of dist/ that later builds cannot change under a test: hard links (else copies) of the
 * executables — the build renames new files into place, so a link keeps the bytes — and a
 * release.json whose images are the engine's current porten/<name>:<version>, pinned under a tag
 * of their own (PINNED_REPO) for as long as the test runs.
 */
export async function snapshotRelease(into: string, images: string[], repo: string = PINNED_REPO): Promise<string> {
  mkdirSync(join(into, 'images'), { recursive: true });
  const put = (from: string, to: string) => {
    try {
      linkSync(from, to);
    } catch {
      copyFileSync(from, to);
    }
  };
  const manifest = readManifest(DIST);
  for (const f of Object.keys(manifest.files)) put(join(DIST, f), join(into, f));
  const pinned: Record<string, { id: string; tag: string }> = {};
  for (const name of images) {
    put(join(DIST, 'images', `${name}.packages.tsv`), join(into, 'images', `${name}.packages.tsv`));
    const tag = `${repo}/${name}:${manifest.version}`;
    await run('docker', ['tag', `porten/${name}:${manifest.version}`, tag]);
    pinned[name] = { id: (await run('docker', ['image', 'inspect', '--format', '{{.Id}}', tag])).trim(), tag };
  }
  writeManifest(into, { ...manifest, images: pinned });
  return into;
}

/** Removes the pinning tags (the images stay while porten/* or anything else still names them). */
export async function unpinImages(images: string[], repo: string = PINNED_REPO): Promise<void> {
  const { version } = readManifest(DIST);
  for (const name of images) await run('docker', ['rmi', `${repo}/${name}:${version}`]).catch(() => {});
}

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env: env ?? { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' }, maxBuffer: 64 << 20 }, (err, stdout, stderr) => (err ? reject(new Error(`${cmd} ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout)));
  });
}
