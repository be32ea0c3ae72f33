import { isSea } from 'node:sea';
import { pathToFileURL } from 'node:url';
import { ENGINE_CHILD_COMMAND } from '../engines/builtin/engineChildCommand.ts';
import { isPayloadFile, payloadDirBeside } from '../engines/builtin/nativePayload.ts';

/**
 * What the agent executable runs besides the `porten` command line; nobody types these:
 *
 * - `porten __engine-child`: the builtin engine's llama.cpp child process. The single executable
 *   has no Node and no engineChild.ts to start it with, so BuiltinEngine starts its own executable
 *   with this argument (engineChildCommand.ts).
 * - `porten <payload file>.js`: a script of the native payload, run as `node <file>` would run it.
 *   node-llama-cpp's start-up self-test forks one of its own files with process.execPath, which in
 *   the single executable is this binary; without this, the test's child ran `porten` with an
 *   unknown command and node-llama-cpp reported no compatible binary. Only files inside the payload
 *   directory qualify, so the executable does not become a general-purpose Node.
 *
 * Returns the entry to run (it keeps the process alive through its IPC channel), or undefined for a
 * normal command.
 */
export function internalEntry(argv: string[]): (() => Promise<void>) | undefined {
  const [first] = argv;
  if (first === ENGINE_CHILD_COMMAND) {
    return async () => (await import('../engines/builtin/engineChild.ts')).serveEngineChild();
  }
  if (isSea() && first !== undefined && first.endsWith('.js') && isPayloadFile(payloadDirBeside(process.execPath), first)) {
    return async () => {
      await import(pathToFileURL(first).href);
    };
  }
  return undefined;
}
