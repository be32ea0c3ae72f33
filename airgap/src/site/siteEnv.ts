import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AirgapError } from '../airgapError.ts';

/** The settings of one site, as the compose files read them (see compose/platform.yml). */
export interface SiteSettings {
  PORTEN_VERSION: string;
  PORTEN_POSTGRES_PASSWORD: string;
  PORTEN_REDIS_PASSWORD: string;
  PORTEN_ADMIN_TOKEN: string;
  PORTEN_BIND_ADDRESS: string;
  PORTEN_HUB_PORT: string;
  PORTEN_PUBLIC_URL: string;
  PORTEN_SITE_DIR: string;
  PORTEN_EDGE_NETWORK: string;
  [name: string]: string;
}

export interface SiteOptions {
  version: string;
  /** Compose project of the platform stack; its edge network is `<project>_edge`. */
  project: string;
  hubPort: number;
  bindAddress?: string;
}

/** Secrets are generated once and kept: regenerating the database password would lock the hub out of its own data. */
const SECRETS = {
  PORTEN_POSTGRES_PASSWORD: () => randomBytes(24).toString('hex'),
  PORTEN_REDIS_PASSWORD: () => randomBytes(24).toString('hex'),
  PORTEN_ADMIN_TOKEN: () => `porten-admin-${randomBytes(24).toString('base64url')}`,
} as const;

export const siteEnvPath = (siteDir: string) => join(siteDir, 'porten.env');

/**
 * Creates or updates `<siteDir>/porten.env` (mode 0600, in a 0700 directory): secrets kept from an
 * earlier run, everything else (version, ports) set from `opts`. Returns the settings.
 */
export function ensureSiteEnv(siteDir: string, opts: SiteOptions): SiteSettings {
  mkdirSync(siteDir, { recursive: true, mode: 0o700 });
  chmodSync(siteDir, 0o700);
  const path = siteEnvPath(siteDir);
  const existing = existsSync(path) ? readSiteEnv(siteDir) : {};
  const settings: SiteSettings = {
    ...existing,
    PORTEN_VERSION: opts.version,
    PORTEN_POSTGRES_PASSWORD: existing.PORTEN_POSTGRES_PASSWORD ?? SECRETS.PORTEN_POSTGRES_PASSWORD(),
    PORTEN_REDIS_PASSWORD: existing.PORTEN_REDIS_PASSWORD ?? SECRETS.PORTEN_REDIS_PASSWORD(),
    PORTEN_ADMIN_TOKEN: existing.PORTEN_ADMIN_TOKEN ?? SECRETS.PORTEN_ADMIN_TOKEN(),
    PORTEN_BIND_ADDRESS: opts.bindAddress ?? '127.0.0.1',
    PORTEN_HUB_PORT: String(opts.hubPort),
    PORTEN_PUBLIC_URL: `http://${opts.bindAddress ?? '127.0.0.1'}:${opts.hubPort}`,
    PORTEN_SITE_DIR: siteDir,
    PORTEN_EDGE_NETWORK: `${opts.project}_edge`,
  };
  const text = `# Porten site settings, read by the compose files (compose/*.yml). Generated; secrets are kept across runs.\n${Object.entries(settings)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
  return settings;
}

export function readSiteEnv(siteDir: string): Partial<SiteSettings> {
  const path = siteEnvPath(siteDir);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new AirgapError('site_invalid', `cannot read the site settings ${path} (${(err as Error).message}); run \`npm start\` to create them`);
  }
  const settings: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) settings[m[1]!] = m[2]!;
  }
  return settings;
}

/** A secret file a container reads through a bind mount: 0644 so the container's user can read it, inside the 0700 site directory. */
export function writeSiteSecret(siteDir: string, name: string, value: string): string {
  const dir = join(siteDir, 'secrets');
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const path = join(dir, name);
  writeFileSync(path, value, { mode: 0o644 });
  chmodSync(path, 0o644);
  return path;
}
