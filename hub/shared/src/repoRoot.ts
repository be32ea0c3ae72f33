import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The repository's root: the nearest folder at or above `from` whose package.json declares
 * `workspaces`. The one way code run from a checkout (build, tests, scripts) finds it, so that
 * moving a file never silently changes what `'..', '..'` meant.
 */
export function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && 'workspaces' in (JSON.parse(readFileSync(pkg, 'utf8')) as object)) return dir;
    if (dirname(dir) === dir) throw new Error(`no repository root above ${from}: run this from a Porten Self-Host checkout`);
  }
}
