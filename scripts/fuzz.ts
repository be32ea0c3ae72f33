/**
 * `npm run fuzz -- [--runs N] [--seed S]`: the property-based tests of hub/test/fuzz with more runs
 * than `npm test` gives them (default 1000 per property, against 60), and a seed: given, to replay a
 * failure; else a fresh one, printed first so any run can be repeated exactly. Ends with the same
 * "N passed, N failed" line as `npm test`, and exits non-zero when a property failed.
 */
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';

function usage(problem: string): never {
  console.error(`npm run fuzz: ${problem}\nusage: npm run fuzz -- [--runs N] [--seed S]   (N ≥ 1 runs per property; S a whole number)`);
  process.exit(2);
}

function wholeNumber(flag: string, raw: string | undefined, min: number): number {
  if (raw === undefined) usage(`${flag} needs a value`);
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) usage(`${flag} must be a whole number ≥ ${min} (got "${raw}")`);
  return n;
}

let runs = 1000;
let seed = randomInt(2 ** 31);
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const flag = args[i];
  if (flag === '--runs') runs = wholeNumber(flag, args[++i], 1);
  else if (flag === '--seed') seed = wholeNumber(flag, args[++i], 0);
  else usage(`unknown argument "${flag}"`);
}

console.log(`fuzzing with ${runs} runs per property, seed ${seed} (repeat with: npm run fuzz -- --runs ${runs} --seed ${seed})`);
const run = spawnSync(process.execPath, ['scripts/runTests.ts', 'hub/test/fuzz'], {
  stdio: 'inherit',
  env: { ...process.env, PORTEN_FUZZ_RUNS: String(runs), PORTEN_FUZZ_SEED: String(seed) },
});
process.exit(run.status ?? 1);
