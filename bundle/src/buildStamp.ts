import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What an executable says about itself: `porten-hub 0.1.0 (rev abc1234)`. */
export interface BuildStamp {
  /** The release version: the root package.json's. */
  version: string;
  /** `git rev-parse --short HEAD`, plus `-dirty` when the work tree has uncommitted changes; `unknown` outside git. */
  revision: string;
}

export function readBuildStamp(root: string): BuildStamp {
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const head = git(root, ['rev-parse', '--short', 'HEAD']);
  if (head === undefined) return { version, revision: 'unknown' };
  const status = git(root, ['status', '--porcelain', '--untracked-files=normal']);
  return { version, revision: status === '' ? head : `${head}-dirty` };
}

/**
 * The esbuild `define`s that stamp a bundle: the globals @porten/shared's version module reads
 * (absent from source, where it falls back to its package version, kept equal to the root's).
 */
export function stampDefines(stamp: BuildStamp): Record<string, string> {
  return {
    PORTEN_RELEASE_VERSION: JSON.stringify(stamp.version),
    PORTEN_GIT_REVISION: JSON.stringify(stamp.revision),
  };
}

function git(cwd: string, args: string[]): string | undefined {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}
