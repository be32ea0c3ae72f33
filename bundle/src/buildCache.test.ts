import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildKey, staleReason, storeBuildKey } from './buildCache.ts';
import { EXECUTABLES, SOURCE_DIRS, SOURCE_FILES } from './layout.ts';
import { fileEntry, writeManifest } from './releaseManifest.ts';

const stamp = { version: '0.1.0', revision: 'abc1234' };

/** A throw-away repository with the build's input folders and files. */
function repo(): string {
  const root = mkdtempSync(join(tmpdir(), 'cache-'));
  for (const d of SOURCE_DIRS) {
    mkdirSync(join(root, d, 'test'), { recursive: true });
    writeFileSync(join(root, d, 'main.ts'), `// ${d}\n`);
  }
  for (const f of SOURCE_FILES) writeFileSync(join(root, f), '{}');
  return root;
}

describe('build cache', () => {
  it('the key moves with sources, the lockfile, the stamp and the Node version; not with tests', () => {
    const root = repo();
    const key = buildKey(root, stamp, 'v24.21.0');
    expect(buildKey(root, stamp, 'v24.21.0')).toBe(key);
    writeFileSync(join(root, 'hub/src/main.test.ts'), 'x');
    mkdirSync(join(root, 'bundle/test'), { recursive: true });
    writeFileSync(join(root, 'bundle/test/e2e.test.ts'), 'x');
    writeFileSync(join(root, 'bundle/test/support.ts'), 'x');
    expect(buildKey(root, stamp, 'v24.21.0')).toBe(key);

    expect(buildKey(root, { ...stamp, revision: 'abc1234-dirty' }, 'v24.21.0')).not.toBe(key);
    expect(buildKey(root, stamp, 'v24.22.0')).not.toBe(key);
    writeFileSync(join(root, 'package-lock.json'), '{"lockfileVersion":3}');
    const afterLock = buildKey(root, stamp, 'v24.21.0');
    expect(afterLock).not.toBe(key);
    writeFileSync(join(root, 'agent/src/new.ts'), 'export {};');
    expect(buildKey(root, stamp, 'v24.21.0')).not.toBe(afterLock);
  });

  it('dist/ is current only with the same key and every listed file at its size', async () => {
    const dist = mkdtempSync(join(tmpdir(), 'dist-'));
    expect(staleReason(dist, 'k1')).toBe('no finished build in dist/');
    storeBuildKey(dist, 'k1');
    expect(staleReason(dist, 'k2')).toBe('inputs changed since the last build');
    expect(staleReason(dist, 'k1')).toBe('dist/release.json is missing or invalid');

    mkdirSync(join(dist, 'porten-payload'));
    const files: Record<string, { sha256: string; size: number }> = {};
    for (const name of [...EXECUTABLES.map((e) => e.name), 'porten-payload.tar.gz']) {
      writeFileSync(join(dist, name), name);
      files[name] = await fileEntry(join(dist, name));
    }
    writeManifest(dist, { ...stamp, node_version: 'v24.21.0', files, images: {} });
    expect(staleReason(dist, 'k1')).toBeUndefined();
    writeFileSync(join(dist, 'porten'), 'truncated');
    expect(staleReason(dist, 'k1')).toBe('dist/porten is missing or not the one release.json lists');
  });
});
