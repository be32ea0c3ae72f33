import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { HubError } from '../errors/index.ts';
import { syncDirectory } from '@porten/shared/renameDurably';

export const SHA256_PATTERN = /^[0-9a-f]{64}$/;

/** Prefix of in-progress writes. They live in the blob directory itself so the final rename never crosses a file system. */
const PARTIAL_PREFIX = '.partial-';
/** A partial file untouched this long belongs to a write that died with its process (crash, kill -9). */
const STALE_PARTIAL_MS = 60 * 60 * 1000;

export interface PutOptions {
  /** When given, a blob whose sha256 differs is refused (400, param `sha256`) and nothing is kept. */
  expectedSha256?: string;
  /** Larger input is refused (413) as soon as the limit is crossed; nothing is kept. */
  maxBytes: number;
  /**
   * Sees the first `bytes` bytes (fewer if the input is shorter) before anything past them is
   * accepted; throwing refuses the input. Used for the GGUF header check.
   */
  head?: { bytes: number; check(head: Buffer): void };
}

export interface PutResult {
  sha256: string;
  size: number;
  /** false when the store already held this blob (re-import is idempotent). */
  created: boolean;
}

/**
 * The hub's content-addressed blob store: one file per blob, `sha256-<hex>`, in one directory
 * (HUB_BLOB_DIR). A blob is only ever visible under its name once it is complete, durable and its
 * digest is known to match: writes stream into a partial file in the same directory while being
 * hashed and counted (never held in memory), are fsynced, and renamed into place; any failure
 * removes the partial file. Several hub replicas may share the directory: a rename is atomic and two
 * writers of the same blob write the same bytes.
 *
 * Rejected alternative: storing blobs in PostgreSQL (large objects). Models are tens of gigabytes;
 * the database would double its backup size and every download would hold a connection.
 */
export class BlobStore {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Path of a blob (whether or not it exists). */
  path(sha256: string): string {
    if (!SHA256_PATTERN.test(sha256)) throw new Error(`BlobStore.path: ${JSON.stringify(sha256)} is not a sha256 hex digest`);
    return join(this.dir, `sha256-${sha256}`);
  }

  /**
   * Creates the directory if missing and removes partial files left by writes that died. Called once
   * at start-up, so a directory that cannot be used stops the hub with a clear message.
   */
  async prepare(): Promise<{ removedPartials: number }> {
    try {
      await mkdir(this.dir, { recursive: true });
      let removedPartials = 0;
      for (const name of await readdir(this.dir)) {
        if (!name.startsWith(PARTIAL_PREFIX)) continue;
        const p = join(this.dir, name);
        const s = await stat(p).catch(() => undefined);
        if (s && Date.now() - s.mtimeMs > STALE_PARTIAL_MS) {
          await unlink(p).catch(() => undefined);
          removedPartials++;
        }
      }
      return { removedPartials };
    } catch (err) {
      throw new HubError('config_invalid', `HUB_BLOB_DIR=${this.dir} cannot be used as the model mirror: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Opens a complete blob for reading, or undefined when the store does not hold it. The caller closes the handle. */
  async open(sha256: string): Promise<{ handle: FileHandle; size: number } | undefined> {
    let handle: FileHandle;
    try {
      handle = await open(this.path(sha256), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    try {
      return { handle, size: (await handle.stat()).size };
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  /** Size of a held blob, or undefined. */
  async size(sha256: string): Promise<number | undefined> {
    const s = await stat(this.path(sha256)).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return undefined;
      throw err;
    });
    return s?.size;
  }

  /** Streams `source` into the store; see the class comment for the guarantees. */
  async put(source: Readable | AsyncIterable<Buffer>, opts: PutOptions): Promise<PutResult> {
    const partial = join(this.dir, `${PARTIAL_PREFIX}${randomUUID()}`);
    const hash = createHash('sha256');
    let size = 0;
    try {
      await pipeline(source, checkAndMeasure, createWriteStream(partial, { flags: 'wx', mode: 0o644, flush: true }));
      const sha256 = hash.digest('hex');
      if (opts.expectedSha256 !== undefined && sha256 !== opts.expectedSha256) {
        throw new HubError('invalid_request_error', `the data has sha256 ${sha256}, not the expected ${opts.expectedSha256}; nothing was stored (a transfer error or the wrong file)`, {
          param: 'sha256',
        });
      }
      const final = this.path(sha256);
      // Content-addressed: a blob already held with the same size has these very bytes. A different
      // size means a damaged copy, which the new one replaces.
      if ((await this.size(sha256)) === size) {
        await unlink(partial);
        return { sha256, size, created: false };
      }
      await rename(partial, final);
      await syncDirectory(this.dir);
      return { sha256, size, created: true };
    } catch (err) {
      await unlink(partial).catch(() => undefined);
      throw storeError(err, this.dir);
    }

    async function* checkAndMeasure(input: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
      const want = opts.head?.bytes ?? 0;
      let held: Buffer[] = [];
      let heldBytes = 0;
      for await (const chunk of input) {
        size += chunk.length;
        if (size > opts.maxBytes) {
          throw new HubError('request_too_large', `the model file is larger than this hub accepts (HUB_MAX_MODEL_BYTES=${opts.maxBytes} bytes); nothing was stored`);
        }
        hash.update(chunk);
        if (heldBytes < want) {
          held.push(chunk);
          heldBytes += chunk.length;
          if (heldBytes < want) continue;
          const all = Buffer.concat(held);
          opts.head!.check(all.subarray(0, want));
          held = [];
          yield all;
          continue;
        }
        yield chunk;
      }
      if (heldBytes < want) opts.head!.check(Buffer.concat(held));
    }
  }
}

/** File-system failures are the operator's to fix (space, permissions), not bugs: say so, naming the directory. */
function storeError(err: unknown, dir: string): unknown {
  if (err instanceof HubError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new HubError('service_unavailable', `the model mirror is out of space (HUB_BLOB_DIR=${dir}); free space or move it to a larger volume, then import again`, { cause: err });
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new HubError('service_unavailable', `the hub cannot write the model mirror (HUB_BLOB_DIR=${dir}: ${code}); fix the directory's permissions`, { cause: err });
  }
  return err;
}
