/**
 * The package graph, checked: every import that leaves a workspace goes through the other
 * workspace's declared name and `exports`, and is a declared dependency of the importer.
 *
 *   - a relative import may not leave its workspace (`../../agent/src/…` is refused);
 *   - `@porten/x/sub` needs `./sub` in x's `exports` and `@porten/x` in the importer's
 *     `dependencies` — or `devDependencies` when the importer is test or benchmark code;
 *   - a third-party import needs the package in the importer's dependencies (production code) or
 *     there, in its devDependencies or in the root's devDependencies (test and benchmark code).
 *
 * Pure over an in-memory description (so a test can prove it fails); readRepository() builds it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix } from 'node:path';

export interface Workspace {
  /** Folder relative to the repository root, e.g. `hub/shared`. */
  dir: string;
  name: string;
  version: string;
  dependencies: string[];
  devDependencies: string[];
  /** Export subpaths, e.g. `./protocol`. */
  exports: string[];
}

export interface Repository {
  rootVersion: string;
  rootDevDependencies: string[];
  workspaces: Workspace[];
  /** Every TypeScript file: path relative to the root → its text. */
  files: Map<string, string>;
}

/** Static imports and re-exports (over several lines too), side-effect imports, dynamic import(). */
const IMPORT = /^\s*(?:import|export)\s[^;'"]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm;
const BUILTINS = new Set(builtinModules);

/** Test and benchmark code: may use devDependencies. */
export function isTestCode(path: string): boolean {
  return /\.test\.ts$/.test(path) || /(^|\/)(test|bench)\//.test(path);
}

/** The workspace that owns `path`: the one with the longest folder prefix (hub/shared before hub). */
export function ownerOf(path: string, workspaces: Workspace[]): Workspace | undefined {
  return workspaces.filter((w) => path.startsWith(`${w.dir}/`)).sort((a, b) => b.dir.length - a.dir.length)[0];
}

function packageName(spec: string): string {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function importsOf(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...code.matchAll(IMPORT)].map((m) => (m[1] ?? m[2] ?? m[3])!);
}

export function packageGraphFindings(repo: Repository): string[] {
  const findings: string[] = [];
  const byName = new Map(repo.workspaces.map((w) => [w.name, w]));
  for (const w of repo.workspaces) {
    if (w.version !== repo.rootVersion) findings.push(`${w.dir}/package.json: version ${w.version}, the root's is ${repo.rootVersion}; one release has one version`);
  }
  for (const [path, text] of repo.files) {
    const owner = ownerOf(path, repo.workspaces);
    const test = isTestCode(path);
    for (const spec of importsOf(text)) {
      if (spec.startsWith('node:') || BUILTINS.has(spec)) continue;
      if (spec.startsWith('.')) {
        const target = posix.normalize(posix.join(posix.dirname(path), spec));
        const targetOwner = ownerOf(target, repo.workspaces);
        if (targetOwner !== owner) {
          findings.push(`${path}: imports ${spec}, which is outside ${owner?.name ?? 'the root'}; import it as ${targetOwner?.name ?? 'a workspace'}/<export> and declare the export and the dependency`);
        }
        continue;
      }
      const pkg = packageName(spec);
      const allowed = owner ? [...owner.dependencies, ...(test ? owner.devDependencies : [])] : [];
      const target = byName.get(pkg);
      if (target) {
        if (target === owner) {
          findings.push(`${path}: imports its own workspace as ${spec}; use a relative import`);
          continue;
        }
        const sub = `.${spec.slice(pkg.length)}`;
        if (!target.exports.includes(sub)) findings.push(`${path}: imports ${spec}, but ${target.dir}/package.json does not export ${sub}; add it to "exports" or import something it exports`);
        if (owner && !allowed.includes(pkg)) findings.push(`${path}: imports ${pkg}, which ${owner.dir}/package.json does not declare; add it to ${test ? 'devDependencies' : 'dependencies'}`);
        continue;
      }
      const declared = allowed.includes(pkg) || ((test || !owner) && repo.rootDevDependencies.includes(pkg));
      if (!declared) findings.push(`${path}: imports ${pkg}, which ${owner ? `${owner.dir}/package.json` : 'the root package.json'} does not declare; add it to ${test ? 'devDependencies' : 'dependencies'}`);
    }
  }
  return findings;
}

/** The repository as packageGraphFindings() reads it: root package.json, its workspaces, every .ts file. */
export function readRepository(root: string): Repository {
  const json = (p: string) => JSON.parse(readFileSync(join(root, p), 'utf8')) as PackageJson;
  const rootPkg = json('package.json');
  const workspaces = (rootPkg.workspaces ?? []).map((dir): Workspace => {
    const pkg = json(`${dir}/package.json`);
    return {
      dir,
      name: pkg.name,
      version: pkg.version,
      dependencies: Object.keys(pkg.dependencies ?? {}),
      devDependencies: Object.keys(pkg.devDependencies ?? {}),
      exports: Object.keys(pkg.exports ?? {}),
    };
  });
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(join(root, dir))) {
      if (SKIPPED_DIRS.has(name)) continue;
      const rel = dir ? `${dir}/${name}` : name;
      if (statSync(join(root, rel)).isDirectory()) walk(rel);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.set(rel, readFileSync(join(root, rel), 'utf8'));
    }
  };
  walk('');
  return { rootVersion: rootPkg.version, rootDevDependencies: Object.keys(rootPkg.devDependencies ?? {}), workspaces, files };
}

interface PackageJson {
  name: string;
  version: string;
  workspaces?: string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  exports?: Record<string, string>;
}

/** Folders that hold no source of ours. */
export const SKIPPED_DIRS = new Set(['node_modules', '.git', 'dist', '.test-results', '.cache', '.build']);
