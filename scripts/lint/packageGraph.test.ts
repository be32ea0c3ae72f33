import { describe, expect, it } from 'vitest';
import { packageGraphFindings, type Repository, type Workspace } from './packageGraph.ts';

const ws = (dir: string, name: string, more: Partial<Workspace> = {}): Workspace => ({ dir, name, version: '1.0.0', dependencies: [], devDependencies: [], exports: [], ...more });

function repo(files: Record<string, string>, workspaces?: Workspace[]): Repository {
  return {
    rootVersion: '1.0.0',
    rootDevDependencies: ['vitest'],
    workspaces: workspaces ?? [
      ws('hub/shared', '@porten/shared', { exports: ['./protocol'] }),
      ws('hub', '@porten/hub', { dependencies: ['@porten/shared', 'express'] }),
      ws('agent', '@porten/agent', { dependencies: ['@porten/shared'], devDependencies: ['@porten/hub'] }),
    ],
    files: new Map(Object.entries(files)),
  };
}

describe('packageGraphFindings', () => {
  it('passes declared imports through exports, relative imports inside a workspace, builtins, root dev tools in tests', () => {
    const findings = packageGraphFindings(
      repo({
        'agent/src/tunnel.ts': "import { readFileSync } from 'node:fs';\nimport type { HubMessage } from '@porten/shared/protocol';\nimport { x } from '../lib/x.ts';",
        'agent/src/run.test.ts': "import { describe } from 'vitest';\nimport {\n  a,\n  b,\n} from '@porten/shared/protocol';",
        'hub/src/app.ts': "import express from 'express';\nconst m = await import('./routes.ts');",
        'hub/shared/src/protocol/index.ts': "export * from './messages.ts';",
      }),
    );
    expect(findings).toEqual([]);
  });

  it('refuses a relative import into another workspace, naming the way to do it', () => {
    expect(packageGraphFindings(repo({ 'agent/src/a.ts': "import { HubMessage } from '../../hub/shared/src/protocol/messages.ts';" }))).toEqual([
      'agent/src/a.ts: imports ../../hub/shared/src/protocol/messages.ts, which is outside @porten/agent; import it as @porten/shared/<export> and declare the export and the dependency',
    ]);
  });

  it('refuses an undeclared workspace dependency (production code may not use a devDependency)', () => {
    expect(packageGraphFindings(repo({ 'agent/src/a.ts': "import { startHub } from '@porten/hub/hub';" }))).toEqual([
      'agent/src/a.ts: imports @porten/hub/hub, but hub/package.json does not export ./hub; add it to "exports" or import something it exports',
      'agent/src/a.ts: imports @porten/hub, which agent/package.json does not declare; add it to dependencies',
    ]);
  });

  it('refuses a subpath the target does not export, and an undeclared third-party package', () => {
    expect(packageGraphFindings(repo({ 'hub/src/a.ts': "import { x } from '@porten/shared/log';\nimport Redis from 'ioredis';" }))).toEqual([
      'hub/src/a.ts: imports @porten/shared/log, but hub/shared/package.json does not export ./log; add it to "exports" or import something it exports',
      'hub/src/a.ts: imports ioredis, which hub/package.json does not declare; add it to dependencies',
    ]);
  });

  it('refuses a workspace whose version differs from the release version', () => {
    expect(packageGraphFindings(repo({}, [ws('hub', '@porten/hub', { version: '0.9.0' })]))).toEqual(['hub/package.json: version 0.9.0, the root\'s is 1.0.0; one release has one version']);
  });

  it('ignores import-like text in strings and comments', () => {
    expect(packageGraphFindings(repo({ 'hub/src/a.ts': "// import x from '../../agent/src/x.ts';\nconst msg = 'run: import from \"express\"';" }))).toEqual([]);
  });
});
