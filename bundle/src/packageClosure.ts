import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, sep } from 'node:path';
import { BundleError } from './bundleError.ts';

interface PackageJson {
  name: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/**
 * The installed production dependency closure of `roots`, resolved as Node resolves them: each
 * package's `dependencies` and `optionalDependencies` looked up from the package's own folder — its
 * node_modules first, then each parent's. An optional dependency that is not installed is skipped
 * (npm skipped it too: another platform, or overridden away); a missing required one is an error.
 * peerDependencies are the dependent's business and are not followed.
 *
 * Returns each package's folder relative to `root`, sorted, each once. Every one must lie inside
 * `root/node_modules` (not a workspace symlink), so that copying those relative paths elsewhere
 * keeps the same resolution.
 */
export function productionClosure(root: string, roots: readonly string[]): string[] {
  const found = new Set<string>();
  const queue: { name: string; from: string; optional: boolean }[] = roots.map((name) => ({ name, from: root, optional: false }));
  for (let next = queue.shift(); next; next = queue.shift()) {
    const dir = resolvePackageDir(next.name, next.from);
    if (dir === undefined) {
      if (next.optional) continue;
      throw new BundleError('not_installed', `${next.name} (needed from ${relative(root, next.from) || '.'}) is not installed: run \`bash scripts/bootstrap.sh\``);
    }
    const rel = relative(root, realpathSync(dir));
    if (!rel.startsWith(`node_modules${sep}`)) throw new BundleError('not_installed', `${next.name} resolves to ${rel}, outside node_modules; a workspace or linked package cannot be copied into the payload`);
    if (found.has(rel)) continue;
    found.add(rel);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
    for (const name of Object.keys(pkg.dependencies ?? {})) queue.push({ name, from: dir, optional: false });
    for (const name of Object.keys(pkg.optionalDependencies ?? {})) queue.push({ name, from: dir, optional: true });
  }
  return [...found].sort();
}

/** The folder `name` is loaded from by code in `fromDir`, or undefined when it is not installed. */
function resolvePackageDir(name: string, fromDir: string): string | undefined {
  // resolve.paths() answers null for names of Node built-ins, yet npm packages of the same name
  // exist (string_decoder, punycode, events): then walk up the node_modules folders as Node would.
  const paths = createRequire(join(fromDir, 'package.json')).resolve.paths(name) ?? nodeModulesChain(fromDir);
  return paths.map((p) => join(p, name)).find((dir) => existsSync(join(dir, 'package.json')));
}

function nodeModulesChain(dir: string): string[] {
  const out: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    if (basename(d) !== 'node_modules') out.push(join(d, 'node_modules'));
    if (dirname(d) === d) return out;
  }
}
