/**
 * Test support for the model mirror (not imported by the hub): files that pass the GGUF header check
 * but hold random bytes after it — they exercise storage, digests and transfer, not loading (the
 * agent's GGUF writer makes loadable models) — and an upload client for PUT /models/{id}/weights.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { readResponse, type JsonResponse } from './httpClient.ts';
import { GGUF_HEADER_BYTES } from '../../src/mirror/ggufHeader.ts';

/** The fixed 24-byte GGUF header: "GGUF", u32 version, u64 tensor count, u64 metadata count (little-endian). */
export function ggufHeaderBytes(opts: { version?: number; tensors?: number; kvs?: number } = {}): Buffer {
  const b = Buffer.alloc(GGUF_HEADER_BYTES);
  b.write('GGUF', 0, 'latin1');
  b.writeUInt32LE(opts.version ?? 3, 4);
  b.writeBigUInt64LE(BigInt(opts.tensors ?? 1), 8);
  b.writeBigUInt64LE(BigInt(opts.kvs ?? 1), 16);
  return b;
}

/** A GGUF header followed by random bytes, `size` bytes in all, with its sha256. */
export function fakeGguf(size: number): { bytes: Buffer; sha256: string } {
  const bytes = Buffer.concat([ggufHeaderBytes(), randomBytes(Math.max(0, size - GGUF_HEADER_BYTES))]);
  return { bytes, sha256: sha256Hex(bytes) };
}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Every file in a blob directory, partial files included. */
export function blobFiles(dir: string): string[] {
  return readdirSync(dir).sort();
}

export type UploadReply = JsonResponse;

/**
 * PUT /admin/v1/models/{id}/weights with `body` (bytes, or chunks streamed without Content-Length).
 * `query` becomes the query string; `contentType` null sends none.
 */
export async function putWeights(
  hubUrl: string,
  token: string | null,
  id: string,
  body: Buffer | Buffer[],
  opts: { query?: Record<string, string>; contentType?: string | null } = {},
): Promise<UploadReply> {
  const qs = new URLSearchParams(opts.query ?? {}).toString();
  const headers: Record<string, string> = {};
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const contentType = opts.contentType === undefined ? 'application/octet-stream' : opts.contentType;
  if (contentType !== null) headers['content-type'] = contentType;
  const init: RequestInit & { duplex?: 'half' } = { method: 'PUT', headers };
  if (Array.isArray(body)) {
    const chunks = [...body];
    init.body = new ReadableStream({
      pull(c) {
        const next = chunks.shift();
        if (next) c.enqueue(next);
        else c.close();
      },
    });
    init.duplex = 'half';
  } else {
    init.body = body;
  }
  return readResponse(await fetch(`${hubUrl}/admin/v1/models/${encodeURIComponent(id)}/weights${qs ? `?${qs}` : ''}`, init));
}
