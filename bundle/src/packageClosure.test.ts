import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { productionClosure } from './packageClosure.ts';

/** A throw-away install: `{ 'node_modules/a': { dependencies: { b: '1' } }, … }`. */
function install(packages: Record<string, { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; peerDependencies?: Record<string, string> }>): string {
  const root = mkdtempSync(join(tmpdir(), 'closure-'));
  writeFileSync(join(root, 'package.json'), '{"name":"root"}');
  for (const [path, deps] of Object.entries(packages)) {
    mkdirSync(join(root, path), { recursive: true });
    writeFileSync(join(root, path, 'package.json'), JSON.stringify({ name: path.split('node_modules/').at(-1), ...deps }));
  }
  return root;
}

describe('productionClosure', () => {
  it('follows dependencies and installed optional ones, resolving nested copies first, each once', () => {
    const root = install({
      'node_modules/app': { dependencies: { lib: '2', shared: '1' }, optionalDependencies: { '@x/native-linux': '1', '@x/native-win': '1' } },
      'node_modules/app/node_modules/lib': { dependencies: { shared: '1' } }, // app's own lib@2
      'node_modules/lib': { dependencies: { unused: '1' } }, // lib@1, hoisted, not app's
      'node_modules/shared': { peerDependencies: { react: '*' } },
      'node_modules/@x/native-linux': {},
      'node_modules/unused': {},
    });
    expect(productionClosure(root, ['app'])).toEqual(['node_modules/@x/native-linux', 'node_modules/app', 'node_modules/app/node_modules/lib', 'node_modules/shared']);
  });

  it('fails naming a missing required dependency and who needs it', () => {
    const root = install({ 'node_modules/app': { dependencies: { gone: '1' } } });
    expect(() => productionClosure(root, ['app'])).toThrow('gone (needed from node_modules/app) is not installed');
  });

  it('refuses a package linked from outside node_modules (a workspace)', () => {
    const root = install({ 'node_modules/app': { dependencies: { ws: '1' } }, 'packages/ws': {} });
    mkdirSync(dirname(join(root, 'node_modules', 'ws')), { recursive: true });
    symlinkSync(join(root, 'packages', 'ws'), join(root, 'node_modules', 'ws'));
    expect(() => productionClosure(root, ['app'])).toThrow('ws resolves to packages/ws, outside node_modules');
  });
});
