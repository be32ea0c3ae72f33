/**
 * Runs vitest with the default reporter on the terminal and the JSON reporter into a file, then
 * prints the plain summary "N passed, N failed" as the last line (CI reads it; a run that executed
 * no test shows as "0 passed"). Exits non-zero when anything failed or no test ran.
 *
 * Without arguments it runs two phases: first every test that needs no Docker, then the Docker
 * tests (`*.docker.test.ts`: images, appliance stacks, air-gap bundles), whose containers would otherwise compete for
 * the same cores with the timing-sensitive end-to-end tests. With arguments, one run with them
 * (e.g. `npm test -- hub/src/routing`).
 *
 * A file whose set-up failed fails no single test (vitest marks its tests skipped): it counts as
 * one failed test here, so a broken beforeAll cannot hide behind "0 failed".
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

/** Tests that need a Docker engine are named `*.docker.test.ts`, wherever they live. */
const DOCKER_TESTS = '**/*.docker.test.ts';

interface Report {
  numPassedTests: number;
  numFailedTests: number;
  testResults: { status: string; assertionResults: { status: string }[] }[];
}

function runPhase(name: string, args: string[]): { passed: number; failed: number; ok: boolean } {
  const out = `.test-results/vitest-${name}.json`;
  rmSync(out, { force: true });
  const run = spawnSync('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${out}`, ...args], { stdio: 'inherit' });
  if (!existsSync(out)) return { passed: 0, failed: 0, ok: false };
  const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
  const brokenFiles = report.testResults.filter((f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed')).length;
  return { passed: report.numPassedTests, failed: report.numFailedTests + brokenFiles, ok: run.status === 0 };
}

mkdirSync('.test-results', { recursive: true });
const args = process.argv.slice(2);
const phases =
  args.length > 0
    ? [runPhase('run', args)]
    : [runPhase('main', ['--exclude', DOCKER_TESTS]), runPhase('docker', ['--passWithNoTests', '.docker.test.ts'])];
const passed = phases.reduce((n, p) => n + p.passed, 0);
const failed = phases.reduce((n, p) => n + p.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(phases.every((p) => p.ok) && failed === 0 && passed > 0 ? 0 : 1);
