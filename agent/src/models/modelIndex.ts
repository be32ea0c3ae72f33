import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentError } from '../errors/index.ts';
import { writeFileAtomic } from '@porten/shared/writeFileAtomic';
import type { ModelIndexEntry } from './types.ts';

const INDEX_VERSION = 1;
export const INDEX_FILE = 'index.json';

interface IndexFile {
  version: number;
  models: Record<string, Omit<ModelIndexEntry, 'id'>>;
}

/**
 * The store's small JSON index: catalog id → sha256, size, last use. It is a convenience, not the
 * source of truth — the blobs are content-addressed, so a lost index costs nothing but last-used
 * times. Hence an unreadable index is set aside (`index.json.unreadable-<time>`) and the store
 * starts with an empty one instead of refusing to run. Writes are serialised and durable.
 */
export class ModelIndex {
  private readonly path: string;
  private readonly entries: Map<string, ModelIndexEntry>;
  private writing: Promise<void> = Promise.resolve();

  private constructor(path: string, entries: Map<string, ModelIndexEntry>) {
    this.path = path;
    this.entries = entries;
  }

  static async open(dir: string): Promise<ModelIndex> {
    const path = join(dir, INDEX_FILE);
    const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw new AgentError('store_failed', `cannot read the model index ${path}: ${err.message}`, { cause: err });
    });
    if (text === null) return new ModelIndex(path, new Map());
    const entries = parseIndex(text);
    if (entries === null) {
      await rename(path, `${path}.unreadable-${Date.now()}`);
      return new ModelIndex(path, new Map());
    }
    return new ModelIndex(path, entries);
  }

  get(id: string): ModelIndexEntry | undefined {
    return this.entries.get(id);
  }

  list(): ModelIndexEntry[] {
    return [...this.entries.values()];
  }

  /** Ids whose entry points at `sha256`. */
  idsFor(sha256: string): string[] {
    return this.list().filter((e) => e.sha256 === sha256).map((e) => e.id);
  }

  async set(entry: ModelIndexEntry): Promise<void> {
    this.entries.set(entry.id, entry);
    await this.save();
  }

  async delete(id: string): Promise<void> {
    if (this.entries.delete(id)) await this.save();
  }

  private save(): Promise<void> {
    const next = this.writing.then(() => {
      const file: IndexFile = { version: INDEX_VERSION, models: {} };
      for (const { id, ...rest } of this.entries.values()) file.models[id] = rest;
      writeFileAtomic(this.path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, durable: true });
    });
    this.writing = next.catch(() => undefined);
    return next.catch((err: Error) => {
      throw new AgentError('store_failed', `cannot write the model index ${this.path}: ${err.message}`, { cause: err });
    });
  }
}

/** The entries of an index file, or null when it is not one this version understands. */
function parseIndex(text: string): Map<string, ModelIndexEntry> | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null) return null;
  const file = raw as Partial<IndexFile>;
  if (file.version !== INDEX_VERSION || typeof file.models !== 'object' || file.models === null) return null;
  const entries = new Map<string, ModelIndexEntry>();
  for (const [id, e] of Object.entries(file.models)) {
    if (typeof e !== 'object' || e === null) continue;
    if (typeof e.sha256 !== 'string' || !SHA256_HEX.test(e.sha256)) continue;
    if (typeof e.size_bytes !== 'number' || typeof e.last_used_at !== 'string') continue;
    entries.set(id, { id, sha256: e.sha256, size_bytes: e.size_bytes, last_used_at: e.last_used_at });
  }
  return entries;
}

/** A sha256 as the store names blobs by it: 64 lower-case hex digits. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;
