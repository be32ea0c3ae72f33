/**
 * Repository conventions that the type checker cannot see (STYLE.md), checked by `npm run lint` and
 * by the test suite, over every workspace: only the composition roots read the environment; no
 * grab-bag files; source files stay small enough to read; the package graph is declared
 * (packageGraph.ts). Prints one line per finding; exits 1 when there is any.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { isTestCode, packageGraphFindings, readRepository, SKIPPED_DIRS } from './packageGraph.ts';
import { findRepoRoot } from '@porten/shared/repoRoot';

const ROOT = findRepoRoot(import.meta.dirname);
/** Entry points that hand the environment to a config loader; nothing else may read it. */
const ENV_READERS = new Set([
  'hub/src/main.ts',
  'agent/src/main.ts',
  'airgap/src/main.ts',
  'scripts/quickstart/quickStart.ts',
  'scripts/quickstart/stopAppliance.ts',
  'scripts/quickstart/resetAppliance.ts',
  'scripts/fuzz.ts',
  'hub/bench/hubBench.ts',
  'hub/bench/auditBench.ts',
  'agent/bench/agentBench.ts',
]);

/**
 * The code with comments, strings and pass-through removed: handing the environment (or its PATH)
 * on to a child process (`{ ...process.env, X: '1' }`, `env = process.env`) reads no setting.
 */
function settingsReads(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
    .replace(/'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g, "''")
    .replace(/\.\.\.process\.env\b|(?:=|\?\?)\s*process\.env\b(?!\s*[.[])|\bprocess\.env\.PATH\b/g, '');
}

/** Tests and their support read the test runner's environment freely; benchmarks are CLIs and do not. */
function isTestOnly(path: string): boolean {
  return isTestCode(path) && !/(^|\/)bench\//.test(path);
}
const MAX_LINES = 400;
const GRAB_BAGS = /^(utils?|helpers?|misc|common)\.ts$/i;
/** One casing rule for file names: lowerCamelCase, dot-separated qualifiers (`modelStore.resume.test.ts`, `x.docker.test.ts`). */
const FILE_NAME = /^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)*\.ts$/;
/** Migrations carry their order in the name (`0002_install_records.ts`), as the SQL files beside them. */
const MIGRATION_NAME = /(^|\/)db\/migrations\/\d{4}_[a-z0-9_]+\.ts$/;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIPPED_DIRS.has(name)) return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

export function conventionFindings(): string[] {
  const repo = readRepository(ROOT);
  const findings: string[] = [];
  // Nested workspaces (hub/shared in hub) are scanned once, with their parent.
  const dirs = repo.workspaces.map((w) => w.dir).filter((d, _, all) => !all.some((o) => d.startsWith(`${o}/`)));
  for (const dir of dirs) {
    for (const file of sourceFiles(join(ROOT, dir))) {
      const rel = relative(ROOT, file);
      const text = readFileSync(file, 'utf8');
      if (!isTestOnly(rel) && /\bprocess\.env\b/.test(settingsReads(text)) && !ENV_READERS.has(rel)) {
        findings.push(`${rel}: reads process.env; take the value from the parsed config instead (see hub/src/config)`);
      }
      if (GRAB_BAGS.test(basename(file))) findings.push(`${rel}: grab-bag file name; name the file for what it does`);
      const lines = text.split('\n').length;
      if (lines > MAX_LINES) findings.push(`${rel}: ${lines} lines; split it (limit ${MAX_LINES})`);
    }
  }
  for (const path of repo.files.keys()) {
    if (!FILE_NAME.test(basename(path)) && !MIGRATION_NAME.test(path)) findings.push(`${path}: file names are lowerCamelCase (e.g. modelStore.ts for ModelStore); rename it`);
  }
  return [...findings, ...packageGraphFindings(repo)];
}

if (import.meta.main) {
  const findings = conventionFindings();
  for (const f of findings) console.error(f);
  process.exit(findings.length > 0 ? 1 : 0);
}
