import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';

/**
 * The layout of the local development site under `.porten/` (one place, used by start and stop):
 * PostgreSQL data and log, Redis working dir, the model weights mirror, the hub's log and pid, the generated admin token,
 * and `quickstart.json` with what a person needs to call the hub.
 */
export const SITE_DIR = resolve('.porten');
export const PATHS = {
  pgData: join(SITE_DIR, 'postgres'),
  pgLog: join(SITE_DIR, 'postgres.log'),
  pgSocket: join(SITE_DIR, 'run'),
  redisDir: join(SITE_DIR, 'redis'),
  redisPid: join(SITE_DIR, 'redis', 'redis.pid'),
  blobs: join(SITE_DIR, 'blobs'),
  hubLog: join(SITE_DIR, 'hub.log'),
  hubPid: join(SITE_DIR, 'hub.pid'),
  adminToken: join(SITE_DIR, 'admin-token'),
  quickstart: join(SITE_DIR, 'quickstart.json'),
} as const;

export const PORTS = { postgres: 55432, redis: 56379, hub: 8080 } as const;

export function pgBin(tool: string): string {
  const root = '/usr/lib/postgresql';
  const v = readdirSync(root).filter((d) => /^\d+$/.test(d)).sort((a, b) => Number(b) - Number(a))[0];
  if (!v) throw new Error('PostgreSQL is not installed: run `npm start` again to install it, or apt-get install postgresql');
  return join(root, v, 'bin', tool);
}

/** PostgreSQL refuses to run as root: as root we run it as the `postgres` system user. */
export function pgUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  return { uid: Number(execFileSync('id', ['-u', 'postgres']).toString()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString()) };
}

export function ensureDir(path: string, owner?: { uid: number; gid: number }): void {
  mkdirSync(path, { recursive: true });
  if (owner) chownSync(path, owner.uid, owner.gid);
}

/** A secret kept in a 0600 file: generated on first use, the same afterwards. */
export function persistentSecret(path: string, prefix: string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const secret = prefix + randomBytes(24).toString('base64url');
  writeFileSync(path, secret + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
  return secret;
}

export function isRunning(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim().split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** Starts a detached background process whose output goes to `logFile`; returns its pid. */
export function daemon(command: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): number {
  const out = openSync(logFile, 'a');
  const child = spawn(command, args, { env, detached: true, stdio: ['ignore', out, out] });
  child.unref();
  return child.pid!;
}
