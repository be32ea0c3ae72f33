import { existsSync, statfsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { AirgapError } from './airgapError.ts';
import type { BundleManifest } from './bundleManifest.ts';
import type { DockerEngine } from './dockerEngine.ts';

export interface PreflightOptions {
  siteDir: string;
  hubPort: number;
  bindAddress: string;
  /** Image ids the engine already holds (a resumed install needs no room for them). */
  loaded: Set<string>;
  /** True when this site's hub already answers on the port (a resumed install). */
  hubRunning: boolean;
}

/** Room kept for the database, the cache and logs beyond what the bundle unpacks to. */
export const DATA_RESERVE_BYTES = 2e9;
export const MIN_CPUS = 2;
export const MIN_MEMORY_BYTES = 3.5e9;

/**
 * Checks the machine before anything is written: the Docker engine answers; there is disk for the
 * site's files and data and, in the engine's root, for the images not yet loaded (a loaded image
 * takes about its saved size again); the hub's port is free (or held by this site's own hub); the
 * engine sees enough CPUs and memory. Reports every problem at once.
 */
export async function preflight(m: BundleManifest, engine: DockerEngine, o: PreflightOptions): Promise<string[]> {
  const info = await engine.info();
  const problems: string[] = [];
  const gb = (n: number) => `${(n / 1e9).toFixed(1)} GB`;
  const siteBytes = m.components.filter((c) => c.kind !== 'image').reduce((n, c) => n + c.size, 0) + (m.kind === 'release' ? DATA_RESERVE_BYTES : 0);
  const imageBytes = m.images.filter((i) => !o.loaded.has(i.id)).reduce((n, i) => n + i.size, 0);
  const free = (path: string) => {
    let p = path;
    while (!existsSync(p)) p = dirname(p);
    const s = statfsSync(p);
    return { at: p, bytes: s.bavail * s.bsize };
  };
  const site = free(o.siteDir);
  if (site.bytes < siteBytes) problems.push(`${site.at} has ${gb(site.bytes)} free, the site needs ${gb(siteBytes)} (files, models and ${gb(DATA_RESERVE_BYTES)} for data): free some space or pass --dir on a larger disk`);
  if (imageBytes > 0 && existsSync(info.rootDir)) {
    const root = free(info.rootDir);
    if (root.bytes < imageBytes) problems.push(`the Docker engine's ${info.rootDir} has ${gb(root.bytes)} free, the images need ${gb(imageBytes)}: free some space (docker system prune) and run again`);
  }
  if (m.kind === 'release') {
    if (!o.hubRunning && !(await portFree(o.bindAddress, o.hubPort))) problems.push(`port ${o.hubPort} on ${o.bindAddress} is in use by another program; stop it or pass --port`);
    if (info.cpus < MIN_CPUS) problems.push(`the Docker engine has ${info.cpus} CPU(s), the platform needs ${MIN_CPUS}`);
    if (info.memory < MIN_MEMORY_BYTES) problems.push(`the Docker engine has ${gb(info.memory)} of memory, the platform needs ${gb(MIN_MEMORY_BYTES)}`);
  }
  return problems;
}

export function failPreflight(problems: string[]): void {
  if (problems.length > 0) throw new AirgapError('preflight_failed', `preflight failed, nothing was installed: ${problems.join('; ')}`);
}

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: host === '0.0.0.0' ? '0.0.0.0' : host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
