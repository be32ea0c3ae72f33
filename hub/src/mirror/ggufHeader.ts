import { HubError } from '../errors/index.ts';

/** Bytes of the fixed GGUF header: magic, version (u32), tensor count (u64), metadata key/value count (u64), little-endian. */
export const GGUF_HEADER_BYTES = 24;

/** The versions llama.cpp reads; version 1 files predate 64-bit counts and are refused by it. */
const SUPPORTED_VERSIONS = [2, 3];

/** Counts far above any real model mean the bytes only look like a header (or the file is damaged). */
const MAX_PLAUSIBLE_COUNT = 1_000_000n;

export interface GgufHeader {
  version: number;
  tensorCount: bigint;
  kvCount: bigint;
}

function notGguf(why: string): never {
  throw new HubError('invalid_request_error', `not a GGUF model file: ${why}`, { param: 'body' });
}

/**
 * Checks the first bytes of an upload (`head`: the first GGUF_HEADER_BYTES, or the whole file when it
 * is shorter) and returns the header. Throws `400 invalid_request_error` (param `body`) naming what is
 * wrong. This is a gate against the wrong file, not a full parse: the tensor data is checked by the
 * engine that loads it, in its own process (DESIGN.md, Agent).
 */
export function parseGgufHeader(head: Buffer): GgufHeader {
  if (head.length < GGUF_HEADER_BYTES) notGguf(`it is ${head.length} bytes long, shorter than the ${GGUF_HEADER_BYTES}-byte GGUF header`);
  const magic = head.subarray(0, 4).toString('latin1');
  if (magic !== 'GGUF') {
    notGguf(`it starts with ${JSON.stringify(magic)} (hex ${head.subarray(0, 4).toString('hex')}) instead of the magic "GGUF"`);
  }
  const version = head.readUInt32LE(4);
  if (!SUPPORTED_VERSIONS.includes(version)) {
    notGguf(`GGUF version ${version} is not supported (supported: ${SUPPORTED_VERSIONS.join(', ')}); convert it with a current llama.cpp`);
  }
  const tensorCount = head.readBigUInt64LE(8);
  const kvCount = head.readBigUInt64LE(16);
  if (tensorCount > MAX_PLAUSIBLE_COUNT) notGguf(`the header claims ${tensorCount} tensors; the file is damaged`);
  if (kvCount === 0n || kvCount > MAX_PLAUSIBLE_COUNT) notGguf(`the header claims ${kvCount} metadata entries (a model has at least general.architecture); the file is damaged`);
  return { version, tensorCount, kvCount };
}
