import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface FakeNvidiaSmi {
  /** An environment with the fake's folder first on PATH. */
  env: NodeJS.ProcessEnv;
  /** File where the fake appends the arguments of every call, one call per line. */
  argsLog: string;
  remove(): Promise<void>;
}

/**
 * Test support: a real executable `nvidia-smi` (a shell script) in a throw-away folder put first on
 * PATH (of `baseEnv`), printing `stdout` and exiting with `exitCode`. `stdout: null` gives a PATH holding no
 * nvidia-smi at all (only the folder, so the real one cannot be found either).
 */
export async function installFakeNvidiaSmi(baseEnv: NodeJS.ProcessEnv, stdout: string | null, exitCode = 0): Promise<FakeNvidiaSmi> {
  const dir = await mkdtemp(join(tmpdir(), 'porten-nvsmi-'));
  const argsLog = join(dir, 'args.log');
  if (stdout !== null) {
    const script = join(dir, 'nvidia-smi');
    await writeFile(script, `#!/bin/sh\necho "$@" >> '${argsLog}'\ncat <<'PORTEN_EOF'\n${stdout}\nPORTEN_EOF\nexit ${exitCode}\n`);
    await chmod(script, 0o755);
  }
  const path = stdout === null ? dir : [dir, baseEnv.PATH ?? ''].join(delimiter);
  return { env: { ...baseEnv, PATH: path }, argsLog, remove: () => rm(dir, { recursive: true, force: true }) };
}
