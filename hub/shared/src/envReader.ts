import { readFileSync } from 'node:fs';

export type Env = Record<string, string | undefined>;

/**
 * The environment-variable readers both services' config loaders use (hub and agent): every
 * problem is pushed to `problems` instead of thrown, so a loader reports them all at once.
 * Empty values count as unset. Any `NAME` may come from `NAME_FILE` (Docker/Compose secrets);
 * setting both is a problem.
 */
export function createEnvReader(env: Env, problems: string[]) {
  const raw = (name: string): string | undefined => {
    const direct = env[name] === '' ? undefined : env[name];
    const file = env[`${name}_FILE`] === '' ? undefined : env[`${name}_FILE`];
    if (direct !== undefined && file !== undefined) {
      problems.push(`${name} and ${name}_FILE are both set: keep one`);
      return direct;
    }
    if (file !== undefined) {
      try {
        return readFileSync(file, 'utf8').trim();
      } catch (err) {
        problems.push(`${name}_FILE=${file} cannot be read (${(err as Error).message})`);
        return undefined;
      }
    }
    return direct;
  };

  const int = (name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const v = raw(name);
    if (v === undefined) return fallback;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      problems.push(`${name}=${v} is not a whole number between ${min} and ${max}`);
      return fallback;
    }
    return Number(v);
  };

  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const v = raw(name);
    if (v === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(v)) {
      problems.push(`${name}=${v} must be one of ${allowed.join(', ')}`);
      return fallback;
    }
    return v as T;
  };

  return { raw, int, oneOf };
}

/**
 * For benchmark and script CLIs: reads the command's settings at once through `build` (with
 * createEnvReader's readers); when any is invalid, prints one line naming `command` and every
 * problem, and exits 2 before the command starts anything.
 */
export function loadSettings<T>(env: Env, command: string, build: (read: ReturnType<typeof createEnvReader>) => T): T {
  const problems: string[] = [];
  const settings = build(createEnvReader(env, problems));
  if (problems.length > 0) {
    console.error(`${command}: invalid settings: ${problems.join('; ')}; fix them in the environment and run again`);
    process.exit(2);
  }
  return settings;
}
