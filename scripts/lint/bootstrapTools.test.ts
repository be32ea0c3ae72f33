import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRepository } from './packageGraph.ts';
import { bootstrapPrograms, NOT_INSTALLED, spawnedPrograms } from './spawnedPrograms.ts';
import { findRepoRoot } from '@porten/shared/repoRoot';

const root = findRepoRoot(import.meta.dirname);

function uncovered(source: string, installed: string[]): string[] {
  return spawnedPrograms(source).filter((p) => !installed.includes(p) && !(p in NOT_INSTALLED));
}

describe('bootstrap installs every program the repository spawns', () => {
  const installed = bootstrapPrograms(readFileSync(join(root, 'scripts', 'bootstrap.sh'), 'utf8'));

  it('covers every program spawned anywhere in the tree (tests, benchmarks, commands)', () => {
    // This file's own fixtures below spawn nothing; they are the check's proof that it can fail.
    const self = relative(root, import.meta.filename);
    const files = [...readRepository(root).files].filter(([path]) => path !== self);
    const missing = files.flatMap(([path, text]) => uncovered(text, installed).map((p) => `${path}: spawns ${p}`));
    expect(missing).toEqual([]);
  });

  it('names the tools a minimal Debian 12 machine lacks, ip among them', () => {
    expect(installed).toEqual(expect.arrayContaining(['ip', 'nsenter', 'sysctl', 'ps', 'curl', 'git', 'strip', 'docker', 'mmdebstrap']));
  });

  it('flags a program spawned but not installed, in every call form it knows', () => {
    const source = [
      "spawn('ip', ['netns', 'add', ns]);",
      "await sh('ip', ['netns', 'exec', this.ns, 'tcpdump', '-i', 'lo']);",
      "execFileSync('jq', ['.']);",
      "spawnSync('sh', ['-c', 'true']);",
    ].join('\n');
    expect(uncovered(source, installed).sort()).toEqual(['jq', 'tcpdump']);
  });

  it('refuses a bootstrap without its table rather than passing on nothing', () => {
    expect(() => bootstrapPrograms('#!/bin/bash\napt-get install -y iproute2\n')).toThrow(/no tools=\( … \) table/);
  });
});
