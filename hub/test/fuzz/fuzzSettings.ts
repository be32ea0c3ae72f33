/**
 * How much the property-based tests try. `npm test` runs a bounded number per property (fast, so
 * the suite stays in its time budget); `npm run fuzz -- --runs N --seed S` runs more, and a failure
 * prints the seed and path that reproduce it. The only place these tests read the environment.
 */
export interface FuzzSettings {
  /** Runs per property. */
  runs: number;
  /** fast-check seed: fixed by default, so `npm test` is reproducible; a failure names it either way. */
  seed: number;
}

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a whole number ≥ 0 (got "${raw}")`);
  return n;
}

export const fuzzSettings: FuzzSettings = {
  runs: positiveInt('PORTEN_FUZZ_RUNS', process.env.PORTEN_FUZZ_RUNS, 60),
  seed: positiveInt('PORTEN_FUZZ_SEED', process.env.PORTEN_FUZZ_SEED, 20261205),
};

/** fast-check parameters for one property; `weight` scales the run count for expensive properties. */
export function fuzzParams(weight = 1): { numRuns: number; seed: number; endOnFailure: boolean } {
  return { numRuns: Math.max(1, Math.round(fuzzSettings.runs * weight)), seed: fuzzSettings.seed, endOnFailure: true };
}

/** A test timeout that grows with the run count, so a long `npm run fuzz` is not cut off by it. */
export function fuzzTimeoutMs(): number {
  return Math.max(300_000, fuzzSettings.runs * 1_000);
}
