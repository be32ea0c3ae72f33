/**
 * Runs vitest once with the default reporter on the terminal and the JSON reporter into a file, then
 * prints the plain summary "N passed, N failed" as the last line (CI reads it; a run that executed
 * no test shows as "0 passed"). Exits with vitest's status, or 1 when no test ran.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync, rmSync } from 'node:fs';

const out = '.test-results/vitest.json';
mkdirSync('.test-results', { recursive: true });
rmSync(out, { force: true });

const run = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...process.argv.slice(2)], {
  stdio: 'inherit',
});

let passed = 0;
let failed = 0;
if (existsSync(out)) {
  const report = JSON.parse(readFileSync(out, 'utf8')) as { numPassedTests: number; numFailedTests: number; numTotalTestSuites: number; success: boolean };
  passed = report.numPassedTests;
  failed = report.numFailedTests;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(run.status !== 0 ? (run.status ?? 1) : passed === 0 ? 1 : 0);
