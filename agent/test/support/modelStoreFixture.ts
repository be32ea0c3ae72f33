import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadMessage, LoadProgressMessage } from '@porten/shared/protocol';
import { startTestMirror, type TestMirror, type TestMirrorOptions } from './testMirrorServer.ts';

export const CREDENTIAL = 'porten-node-test-credential';

export interface StoreFixture {
  dir: string;
  blob: Buffer;
  sha256: string;
  mirror: TestMirror;
  load(model?: string): LoadMessage;
  progress: LoadProgressMessage[];
  onProgress: (p: LoadProgressMessage) => void;
  close(): Promise<void>;
}

/**
 * Test support: a throw-away models dir, a random blob of `size` bytes and a test mirror serving
 * it under its sha256 (`tamper` changes the bytes served, not the name; options override faults and
 * pacing), plus a progress recorder.
 */
export async function storeFixture(size: number, options: Partial<TestMirrorOptions> & { tamper?: (blob: Buffer) => Buffer } = {}): Promise<StoreFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'porten-models-'));
  const blob = randomBytes(size);
  const sha256 = createHash('sha256').update(blob).digest('hex');
  const { tamper, ...mirrorOptions } = options;
  const served = tamper ? tamper(Buffer.from(blob)) : blob;
  const mirror = await startTestMirror({ blobs: new Map([[sha256, served]]), credential: CREDENTIAL, ...mirrorOptions });
  const progress: LoadProgressMessage[] = [];
  return {
    dir,
    blob,
    sha256,
    mirror,
    load: (model = 'tiny-llama') => ({ type: 'load', model, sha256, size_bytes: blob.length, url: mirror.urlFor(sha256) }),
    progress,
    onProgress: (p) => progress.push(p),
    async close() {
      await mirror.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
