import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../src/layout.ts';
import type { ReleaseManifest } from '../src/releaseManifest.ts';
import { copyRelease, ensureBuilt, minimalEnv } from './builtRelease.ts';

/** `--version` of each built executable, run from a folder outside the repository with no Node around. */
describe('built executables: --version', () => {
  let manifest: ReleaseManifest;
  let dir: string;
  beforeAll(() => {
    manifest = ensureBuilt();
    dir = copyRelease(['porten-hub', 'porten'], 'porten-version-');
  }, 600_000);

  it('prints the release version and the git revision it was built from', () => {
    expect(manifest.revision).toMatch(/^[0-9a-f]{7,}(-dirty)?$/);
    const commit = manifest.revision.replace(/-dirty$/, '');
    expect(() => execFileSync('git', ['cat-file', '-e', `${commit}^{commit}`], { cwd: REPO_ROOT })).not.toThrow();
    for (const [name, args] of [
      ['porten-hub', ['--version']],
      ['porten', ['--version']],
      ['porten', ['version']],
    ] as const) {
      const out = execFileSync(`${dir}/${name}`, args, { cwd: dir, env: minimalEnv(), encoding: 'utf8' });
      expect(out).toBe(`${name} ${manifest.version} (rev ${manifest.revision})\n`);
    }
  });
});
