/**
 * Test support for the image tests: the images made current through the (cached) builder, and a
 * scratch space that remembers every container, network and temp folder a test file creates and
 * removes them all in afterAll.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureBuilt } from '../builtRelease.ts';
import { buildImages } from '../../src/images/buildImages.ts';
import { repoBuildOptions } from '../../src/images/buildOptions.ts';
import { runCommand, type RunResult } from '../../src/runCommand.ts';
import type { ImageResult } from '../../src/images/types.ts';

/** A cold build runs mmdebstrap five times (minutes on 2 shared cores); a cached one takes seconds. */
export const BUILD_HOOK_TIMEOUT_MS = 40 * 60_000;

/**
 * The named images, built or confirmed cached. Images made from dist/ (hub, agent) first get dist/
 * made current through the bundle's cached build. Returns the builder's per-image results by name.
 */
export async function ensureImages(names: string[]): Promise<Record<string, ImageResult>> {
  if (names.some((n) => n === 'hub' || n === 'agent')) ensureBuilt();
  const results = await buildImages(repoBuildOptions({ only: names, log: () => {} }));
  return Object.fromEntries(results.map((r) => [r.name, r]));
}

export function docker(args: string[]): Promise<RunResult> {
  return runCommand('docker', args);
}

export async function dockerOk(args: string[]): Promise<string> {
  const res = await docker(args);
  if (res.code !== 0) throw new Error(`docker ${args.join(' ')} failed (exit ${res.code}): ${res.stderr}`);
  return res.stdout.trim();
}

export class DockerScratch {
  readonly prefix = `porten-imgtest-${randomBytes(3).toString('hex')}`;
  private readonly containers: string[] = [];
  private readonly networks: string[] = [];
  private readonly dirs: string[] = [];
  private counter = 0;

  name(what: string): string {
    return `${this.prefix}-${what}-${++this.counter}`;
  }

  async network(): Promise<string> {
    const name = this.name('net');
    await dockerOk(['network', 'create', name]);
    this.networks.push(name);
    return name;
  }

  /** `docker run -d --name <generated> …args`; returns the container name. */
  async start(args: string[], what = 'c'): Promise<string> {
    const name = this.name(what);
    this.containers.push(name);
    await dockerOk(['run', '-d', '--name', name, ...args]);
    return name;
  }

  /** `docker create` (not started), e.g. to export or copy files out of an image without running it. */
  async create(image: string): Promise<string> {
    const name = this.name('created');
    this.containers.push(name);
    await dockerOk(['create', '--name', name, image]);
    return name;
  }

  tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), `${this.prefix}-`));
    this.dirs.push(dir);
    return dir;
  }

  async cleanup(): Promise<void> {
    if (this.containers.length > 0) await docker(['rm', '-f', '-v', ...this.containers]);
    for (const n of this.networks) await docker(['network', 'rm', n]);
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }
}

/** Waits until docker reports the container's HEALTHCHECK healthy; fails with its logs otherwise. */
export async function waitHealthy(container: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    last = await dockerOk(['inspect', '--format', '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}', container]);
    if (last === 'running healthy') return;
    if (!last.startsWith('running') && !last.startsWith('created')) break;
    await sleep(500);
  }
  const logs = await docker(['logs', '--tail', '30', container]);
  throw new Error(`${container} did not become healthy (last state: ${last}); logs:\n${logs.stdout}${logs.stderr}`);
}

export interface ImageEntry {
  path: string;
  /** `uid/gid`, numeric. */
  owner: string;
  /** `ls -l` style, e.g. `drwxr-x---`. */
  mode: string;
}

/** Every entry of the image's filesystem (`docker export` of a created container, listed by tar). */
export async function imageEntries(scratch: DockerScratch, image: string): Promise<ImageEntry[]> {
  const container = await scratch.create(image);
  const listing = await new Promise<string>((resolve, reject) => {
    const exporter = spawn('docker', ['export', container], { stdio: ['ignore', 'pipe', 'inherit'] });
    const tar = spawn('tar', ['-tv', '--numeric-owner'], { stdio: ['pipe', 'pipe', 'inherit'] });
    exporter.stdout.pipe(tar.stdin);
    const out: Buffer[] = [];
    tar.stdout.on('data', (b: Buffer) => out.push(b));
    tar.on('error', reject);
    exporter.on('error', reject);
    tar.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out).toString('utf8')) : reject(new Error(`listing ${image} failed (tar exit ${code})`))));
  });
  return listing
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      // drwxr-xr-x 10001/10001   0 2025-01-01 00:00 var/lib/porten/ (symlinks end in " -> target")
      const m = /^(\S+)\s+(\S+)\s+\S+\s+\S+\s+\S+\s+(.*?)(?: -> .*)?$/.exec(line);
      if (!m) throw new Error(`unexpected tar listing line: ${line}`);
      return { mode: m[1]!, owner: m[2]!, path: `/${m[3]!.replace(/^\.?\//, '').replace(/\/$/, '')}` };
    });
}

/** A file's text from an image, copied out of a created (never started) container. */
export async function readImageFile(scratch: DockerScratch, image: string, path: string): Promise<string> {
  const container = await scratch.create(image);
  const target = join(scratch.tempDir(), 'copied');
  await dockerOk(['cp', `${container}:${path}`, target]);
  return readFileSync(target, 'utf8');
}
