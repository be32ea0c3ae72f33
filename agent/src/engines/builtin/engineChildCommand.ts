import { isSea } from 'node:sea';
import { fileURLToPath } from 'node:url';
import { checkPayload, payloadDirBeside } from './nativePayload.ts';

/** The hidden `porten` argument that makes the single executable the engine child (internalEntry.ts). */
export const ENGINE_CHILD_COMMAND = '__engine-child';

/** How to start the engine child: the program and its arguments; an IPC channel is added. */
export interface ChildCommand {
  execPath: string;
  args: string[];
}

/**
 * The engine child's command line. From source: this Node running engineChild.ts. In the single
 * executable there is no Node and no .ts file to run, so the executable runs itself with
 * `__engine-child` — after checking that the native payload the child will load is there (throws
 * `payload_missing` otherwise). Resolved when the engine is built, never at module load: the
 * executable's CJS bundle has no import.meta.url.
 */
export function engineChildCommand(): ChildCommand {
  if (isSea()) {
    checkPayload(payloadDirBeside(process.execPath), process.execPath);
    return { execPath: process.execPath, args: [ENGINE_CHILD_COMMAND] };
  }
  return { execPath: process.execPath, args: [fileURLToPath(new URL('./engineChild.ts', import.meta.url))] };
}
