/**
 * Repository conventions that the type checker cannot see (STYLE.md), checked by `npm run lint` and
 * by the test suite, over every workspace: only the composition roots read the environment; no
 * grab-bag files; source files stay small enough to read; the package graph is declared
 * (packageGraph.ts). Prints one line per finding; exits 1 when there is any.
 */
import { basename } from 'node:path';
import { isTestCode, packageGraphFindings, readRepository } from './packageGraph.ts';
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

const MAX_LINES = 400;
const GRAB_BAGS = /^(utils?|helpers?|misc|common)\.ts$/i;
/** One casing rule for file names: lowerCamelCase, dot-separated qualifiers (`modelStore.resume.test.ts`, `x.docker.test.ts`). */
const FILE_NAME = /^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*)*\.ts$/;
/** Migrations carry their order in the name (`0002_install_records.ts`), as the SQL files beside them. */
const MIGRATION_NAME = /(^|\/)db\/migrations\/\d{4}_[a-z0-9_]+\.ts$/;
const ENV_FINDING = ': reads the environment; take the value from the parsed config instead (see hub/src/config)';

/**
 * The code with comments and quoted strings removed (template literals stay: `${process.env.X}` is
 * a read), and pass-through too: handing the environment (or its PATH) on to a child process
 * (`{ ...process.env, X: '1' }`, `env = process.env`) reads no setting.
 */
function settingsReads(text: string): string {
  return text
    .replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')
    .replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"/g, "''")
    .replace(/\.\.\.process\.env\b|(?:=|\?\?)\s*process\.env\b(?!\s*[.[])|\bprocess\.env\.PATH\b/g, '');
}

/** Tests and their support read the test runner's environment freely; benchmarks are CLIs and do not. */
function isTestOnly(path: string): boolean {
  return isTestCode(path) && !/(^|\/)bench\//.test(path);
}

/** Every finding over the repository's TypeScript (read once, by readRepository), the package graph's included. */
export function conventionFindings(): string[] {
  const repo = readRepository(ROOT);
  const findings: string[] = [];
  for (const [path, text] of repo.files) {
    const name = basename(path);
    if (!FILE_NAME.test(name) && !MIGRATION_NAME.test(path)) findings.push(`${path}: file names are lowerCamelCase (e.g. modelStore.ts for ModelStore); rename it`);
    if (name.endsWith('.test.ts')) continue;
    if (!isTestOnly(path) && /\bprocess\.env\b/.test(settingsReads(text)) && !ENV_READERS.has(path)) findings.push(path + ENV_FINDING);
    if (GRAB_BAGS.test(name)) findings.push(`${path}: grab-bag file name; name the file for what it does`);
    const lines = text.split('\n').length;
    if (lines > MAX_LINES) findings.push(`${path}: ${lines} lines; split it (limit ${MAX_LINES})`);
  }
  return [...findings, ...packageGraphFindings(repo)];
}

if (import.meta.main) {
  const findings = conventionFindings();
  for (const f of findings) console.error(f);
  process.exit(findings.length > 0 ? 1 : 0);
}
