/**
 * The builtin engine's native payload: node-llama-cpp, its prebuilt CPU binary for linux-x64 and
 * their production dependencies, as plain files on disk beside the agent's single executable:
 *
 *   /opt/porten/porten                         the agent executable (any directory; symlinks resolved)
 *   /opt/porten/porten-payload/node_modules/   node-llama-cpp, @node-llama-cpp/linux-x64, their dependencies
 *
 * The one home of that layout: the build (bundle/buildPayload.ts) writes it from these constants,
 * the agent finds it here, install.sh and the images unpack it. A source run never uses it: there,
 * node-llama-cpp comes from the repository's node_modules.
 *
 * Why files beside the binary rather than inside it: node-llama-cpp loads `.node` and `.so` files
 * and finds them relative to its own modules, and its start-up self-test forks one of its own files
 * (see internalEntry.ts); none of that can come out of a SEA blob.
 */
import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AgentError } from '../../errors/index.ts';

/** The payload directory's name, beside the executable. */
export const PAYLOAD_DIR_NAME = 'porten-payload';

/** The packages the payload is made of; the build adds their installed production dependencies. */
export const PAYLOAD_PACKAGES = ['node-llama-cpp', '@node-llama-cpp/linux-x64'] as const;

/**
 * Files of those packages the payload leaves out, relative to `node_modules/`: llama.cpp's source
 * (a 34 MB git bundle) is only used to build llama.cpp, which the engine never does (`build: 'never'`,
 * prebuilt CPU binary only).
 */
export const PAYLOAD_OMITTED_FILES = ['node-llama-cpp/llama/gitRelease.bundle'] as const;

/** File endings the payload leaves out: type declarations and source maps are never loaded (≈ 6 MB). */
export const PAYLOAD_OMITTED_SUFFIXES = ['.d.ts', '.d.mts', '.d.cts', '.map'] as const;

/** `<directory of the real executable>/porten-payload`. */
export function payloadDirBeside(executable: string): string {
  return join(dirname(realpathSync(executable)), PAYLOAD_DIR_NAME);
}

/**
 * Throws `payload_missing` unless every payload package is installed under `dir`: checked before
 * the engine child is started, so a node without its payload says so in one line instead of failing
 * each load with a module-not-found error from the child.
 */
export function checkPayload(dir: string, executable: string): void {
  const missing = PAYLOAD_PACKAGES.filter((p) => !existsSync(join(dir, 'node_modules', p, 'package.json')));
  if (missing.length === 0) return;
  const what = existsSync(dir) ? `${dir} lacks ${missing.join(', ')}` : `${dir} does not exist`;
  throw new AgentError(
    'payload_missing',
    `the builtin engine's llama.cpp payload is missing: ${what} (it ships beside ${executable} as porten-payload.tar.gz)`,
  );
}

/**
 * Imports a package of the payload by name, resolved as Node resolves it from `dir` (its
 * package.json `exports`), as an ES module from its file on disk. A dynamic import() of an
 * absolute file URL works in the single executable; its `require` only knows built-in modules, and
 * node-llama-cpp uses top-level await, which require() of an ES module refuses.
 */
export async function importFromPayload<T>(dir: string, specifier: string): Promise<T> {
  const file = createRequire(dir + sep).resolve(specifier);
  return (await import(pathToFileURL(file).href)) as T;
}

/** Whether `file` is a file inside the payload directory `dir` (both with symlinks resolved). */
export function isPayloadFile(dir: string, file: string): boolean {
  try {
    return realpathSync(file).startsWith(realpathSync(dir) + sep);
  } catch {
    return false;
  }
}
