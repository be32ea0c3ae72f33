/**
 * Repository conventions that the type checker cannot see (STYLE.md), checked by `npm run lint` and
 * by the test suite: only the composition roots read the environment; no grab-bag files; source
 * files stay small enough to read. Prints one line per finding; exits 1 when there is any.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const SOURCE_DIRS = ['hub/src', 'agent/src', 'bundle', 'airgap/src'];
/** Entry points that hand the environment to a config loader; nothing else may read it. */
const ENV_READERS = new Set(['hub/src/main.ts', 'agent/src/main.ts', 'airgap/src/main.ts']);
const MAX_LINES = 400;
const GRAB_BAGS = /^(utils?|helpers?|misc|common)\.ts$/i;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

export function conventionFindings(): string[] {
  const findings: string[] = [];
  for (const dir of SOURCE_DIRS) {
    for (const file of sourceFiles(join(ROOT, dir))) {
      const rel = relative(ROOT, file);
      const text = readFileSync(file, 'utf8');
      if (/\bprocess\.env\b/.test(text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '')) && !ENV_READERS.has(rel)) {
        findings.push(`${rel}: reads process.env; take the value from the parsed config instead (see hub/src/config)`);
      }
      if (GRAB_BAGS.test(basename(file))) findings.push(`${rel}: grab-bag file name; name the file for what it does`);
      const lines = text.split('\n').length;
      if (lines > MAX_LINES) findings.push(`${rel}: ${lines} lines; split it (limit ${MAX_LINES})`);
    }
  }
  return findings;
}

if (import.meta.main) {
  const findings = conventionFindings();
  for (const f of findings) console.error(f);
  process.exit(findings.length > 0 ? 1 : 0);
}
