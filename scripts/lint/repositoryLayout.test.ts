import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findRepoRoot } from '@porten/shared/repoRoot';

const root = findRepoRoot(import.meta.dirname);

/** The top level the product owner fixed, plus docs/ and the tool files. */
const TOP_LEVEL = ['package.json', 'bundle', 'compose', 'scripts', 'hub', 'agent', 'airgap', 'monitoring', 'README.md', 'docs'];
const TOOL_FILES = ['.ci', '.gitignore', 'package-lock.json', 'tsconfig.json', 'vitest.config.ts'];

/** The folders README.md's "Folders" table names, in its first column. */
function readmeFolders(): string[] {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Folders'), readme.indexOf('## Documents'));
  return [...section.matchAll(/^\| `([^`]+)\/` \|/gm)].map((m) => m[1]!);
}

describe('repository layout', () => {
  it('the committed top level is exactly the fixed one plus docs/ and the tool files', () => {
    const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n').filter(Boolean);
    const top = [...new Set(tracked.map((p) => p.split('/')[0]!))].sort();
    expect(top).toEqual([...TOP_LEVEL, ...TOOL_FILES].sort());
  });

  it('README.md maps every top-level folder, and every folder it maps exists', () => {
    const mapped = readmeFolders();
    for (const folder of mapped) expect(existsSync(join(root, folder)) && statSync(join(root, folder)).isDirectory(), `${folder}/ in README.md`).toBe(true);
    const topFolders = TOP_LEVEL.filter((f) => statSync(join(root, f)).isDirectory());
    expect(topFolders.filter((f) => !mapped.includes(f))).toEqual([]);
  });

  it('every workspace folder is in README.md\'s map', () => {
    const workspaces = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
    const mapped = readmeFolders();
    // scripts/testkit is described inside the scripts/ row.
    expect(workspaces.filter((w) => !mapped.includes(w) && !mapped.includes(w.split('/')[0]!))).toEqual([]);
  });
});
