import { isSea } from 'node:sea';
import { importFromPayload, payloadDirBeside } from './nativePayload.ts';

export type NodeLlamaCpp = typeof import('node-llama-cpp');

/**
 * node-llama-cpp, loaded only inside the engine child and only when a child starts: from the
 * repository's node_modules in a source run, from the payload beside the executable in the single
 * executable (whose bundle leaves node-llama-cpp out: bundle/bundleEntry.ts marks it external).
 */
export async function loadNodeLlamaCpp(): Promise<NodeLlamaCpp> {
  if (isSea()) return importFromPayload<NodeLlamaCpp>(payloadDirBeside(process.execPath), 'node-llama-cpp');
  return import('node-llama-cpp');
}
