import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conventionFindings } from './checkConventions.ts';
import { findRepoRoot } from '@porten/shared/repoRoot';

const root = findRepoRoot(import.meta.dirname);

describe('repository', () => {
  it('follows the conventions the type checker cannot see', () => {
    expect(conventionFindings()).toEqual([]);
  });

  it('type-checks cleanly (strict TypeScript over every workspace)', () => {
    // tsc exits non-zero and prints the errors when there are any; execFileSync throws with them.
    const run = () => execFileSync(join(root, 'node_modules', '.bin', 'tsc'), ['-p', root], { encoding: 'utf8', stdio: 'pipe' });
    expect(run).not.toThrow();
  }, 120_000);
});
