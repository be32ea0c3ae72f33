import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadMessage, LoadPhase } from '@porten/shared/protocol';
import type { LocalModel } from '../engines/types.ts';
import { AgentError } from '../errors/index.ts';
import { freeDiskBytes } from '../system/index.ts';
import { downloadResumable } from './downloadResumable.ts';
import { renameDurably } from '@porten/shared/renameDurably';
import { ModelIndex, SHA256_HEX } from './modelIndex.ts';
import { ProgressThrottle } from './progressThrottle.ts';
import type { ModelIndexEntry, ModelStoreOptions, ProgressListener } from './types.ts';

const MiB = 2 ** 20;
const PARTIAL_DIR = '.partial';
const NEVER = new AbortController().signal;

type Settings = Required<Omit<ModelStoreOptions, 'dir' | 'credential'>>;

/** One transfer of a blob, shared by every ensureModel call that needs it. */
interface SharedDownload {
  promise: Promise<number>;
  controller: AbortController;
  listeners: Set<(done: number, total: number) => void>;
  waiters: number;
  settled: boolean;
}

/**
 * The node's content-addressed model store: `<dir>/sha256-<hex>` holds verified weights, nothing
 * else ever has that name (downloads land in `<dir>/.partial/` and are renamed in only after their
 * hash matched), so a blob that exists with the right size is trusted without re-hashing gigabytes
 * on every load. `<dir>/index.json` maps catalog ids to blobs and remembers when each was last used.
 * Weights stay on disk when a model is unloaded; removing them is explicit (`remove`).
 */
export class ModelStore {
  readonly dir: string;
  private readonly credential: string;
  private readonly settings: Settings;
  private readonly index: ModelIndex;
  private readonly downloads = new Map<string, SharedDownload>();
  /** Per blob, the last download started: a new one waits for it so two never write one file. */
  private readonly lastDownload = new Map<string, Promise<unknown>>();

  private constructor(options: ModelStoreOptions, index: ModelIndex) {
    this.dir = options.dir;
    this.credential = options.credential;
    this.index = index;
    this.settings = {
      progressIntervalMs: options.progressIntervalMs ?? 250,
      maxFailuresWithoutProgress: options.maxFailuresWithoutProgress ?? 5,
      retryDelayMs: options.retryDelayMs ?? 500,
      stallTimeoutMs: options.stallTimeoutMs ?? 30_000,
      diskReserveBytes: options.diskReserveBytes ?? 64 * MiB,
      freeDiskBytes: options.freeDiskBytes ?? freeDiskBytes,
    };
  }

  /** Opens (creating when missing) the store under `options.dir` and reads its index. */
  static async open(options: ModelStoreOptions): Promise<ModelStore> {
    await mkdir(join(options.dir, PARTIAL_DIR), { recursive: true, mode: 0o700 });
    return new ModelStore(options, await ModelIndex.open(options.dir));
  }

  blobPath(sha256: string): string {
    return join(this.dir, `sha256-${sha256}`);
  }

  partialPath(sha256: string): string {
    return join(this.dir, PARTIAL_DIR, `sha256-${sha256}`);
  }

  /**
   * Returns the verified weights for `load`, downloading them from `load.url` when the store lacks
   * them. Reports `downloading` progress (throttled) and, when it fails, `failed` with the reason;
   * `loading`/`ready` are the caller's. Calls for the same blob share one download; aborting
   * `signal` (optional: the agent's shutdown) leaves it (and stops it when no other caller waits), keeping the partial file for a
   * later resume. Rejects with AgentError: `model_unavailable` (no sha256/url), `model_corrupt`
   * (hash mismatch: the file is deleted), `insufficient_disk`, `mirror_refused`, `download_failed`.
   */
  async ensureModel(load: LoadMessage, onProgress: ProgressListener, signal: AbortSignal = NEVER): Promise<LocalModel> {
    let done = 0;
    let total = load.size_bytes ?? 0;
    const report = (phase: LoadPhase, error?: string) =>
      onProgress({ type: 'load_progress', model: load.model, phase, done_bytes: done, total_bytes: total, ...(error === undefined ? {} : { error }) });
    try {
      signal.throwIfAborted();
      const { sha256, url } = checkLoad(load);
      let size = await this.presentSize(sha256, load.size_bytes);
      if (size === null) {
        const throttle = new ProgressThrottle(this.settings.progressIntervalMs);
        size = await this.join(sha256, url, load, signal, (d, t) => {
          done = d;
          total = t;
          if (throttle.shouldReport(d, t, Date.now())) report('downloading');
        });
      }
      await this.index.set({ id: load.model, sha256, size_bytes: size, last_used_at: new Date().toISOString() });
      return { id: load.model, path: this.blobPath(sha256), sha256, size_bytes: size };
    } catch (err) {
      if (signal.aborted) throw signal.reason;
      const agentErr = asStoreError(err, this.dir);
      report('failed', agentErr.message);
      throw agentErr;
    }
  }

  /** The verified weights of catalog id `id` when they are on disk, else null. */
  async get(id: string): Promise<LocalModel | null> {
    const entry = this.index.get(id);
    if (!entry) return null;
    const size = await this.presentSize(entry.sha256, entry.size_bytes);
    return size === null ? null : { id, path: this.blobPath(entry.sha256), sha256: entry.sha256, size_bytes: size };
  }

  /** Every catalog id in the index (weights present or not). */
  list(): ModelIndexEntry[] {
    return this.index.list();
  }

  /** Records a use of `id` now (for choosing what to delete from disk first, later). */
  async touch(id: string): Promise<void> {
    const entry = this.index.get(id);
    if (entry) await this.index.set({ ...entry, last_used_at: new Date().toISOString() });
  }

  /** Forgets `id` and deletes its weights unless another catalog id uses the same blob. */
  async remove(id: string): Promise<void> {
    const entry = this.index.get(id);
    if (!entry) return;
    await this.index.delete(id);
    if (this.index.idsFor(entry.sha256).length === 0 && !this.downloads.has(entry.sha256)) {
      await rm(this.blobPath(entry.sha256), { force: true });
    }
  }

  /** Size of the blob when present with the expected size; a blob of the wrong size is deleted. */
  private async presentSize(sha256: string, expected: number | null): Promise<number | null> {
    const size = await stat(this.blobPath(sha256)).then((s) => s.size, () => null);
    if (size === null || expected === null || size === expected) return size;
    await rm(this.blobPath(sha256), { force: true });
    return null;
  }

  /** Waits for the shared download of `sha256`, starting it when none runs. */
  private join(sha256: string, url: string, load: LoadMessage, signal: AbortSignal, listener: (done: number, total: number) => void): Promise<number> {
    const job = this.downloads.get(sha256) ?? this.startDownload(sha256, url, load);
    job.listeners.add(listener);
    job.waiters += 1;
    return new Promise<number>((resolve, reject) => {
      const leave = () => {
        signal.removeEventListener('abort', onAbort);
        job.listeners.delete(listener);
        job.waiters -= 1;
      };
      const onAbort = () => {
        leave();
        if (job.waiters === 0 && !job.settled) {
          job.controller.abort(signal.reason);
          if (this.downloads.get(sha256) === job) this.downloads.delete(sha256);
        }
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      job.promise.then(
        (size) => {
          leave();
          resolve(size);
        },
        (err: unknown) => {
          leave();
          reject(err);
        },
      );
    });
  }

  private startDownload(sha256: string, url: string, load: LoadMessage): SharedDownload {
    const previous = this.lastDownload.get(sha256) ?? Promise.resolve();
    const job: SharedDownload = { promise: Promise.resolve(0), controller: new AbortController(), listeners: new Set(), waiters: 0, settled: false };
    job.promise = previous
      .catch(() => undefined)
      .then(() => this.download(sha256, url, load, job))
      .finally(() => {
        job.settled = true;
        if (this.downloads.get(sha256) === job) this.downloads.delete(sha256);
        if (this.lastDownload.get(sha256) === job.promise) this.lastDownload.delete(sha256);
      });
    job.promise.catch(() => undefined); // every waiter may have left; the outcome is theirs to see
    this.downloads.set(sha256, job);
    this.lastDownload.set(sha256, job.promise);
    return job;
  }

  /** Downloads into the partial file, verifies, and renames into place; returns the size. */
  private async download(sha256: string, url: string, load: LoadMessage, job: SharedDownload): Promise<number> {
    job.controller.signal.throwIfAborted();
    const present = await this.presentSize(sha256, load.size_bytes); // landed while this call waited
    if (present !== null) return present;
    const partial = this.partialPath(sha256);
    const result = await downloadResumable({
      url,
      credential: this.credential,
      partialPath: partial,
      expectedBytes: load.size_bytes,
      signal: job.controller.signal,
      onBytes: (done, total) => {
        for (const l of job.listeners) l(done, total);
      },
      checkSpace: (remaining) => this.checkSpace(load.model, remaining),
      maxFailuresWithoutProgress: this.settings.maxFailuresWithoutProgress,
      retryDelayMs: this.settings.retryDelayMs,
      stallTimeoutMs: this.settings.stallTimeoutMs,
    }).catch(async (err: unknown) => {
      if (err instanceof AgentError && err.code === 'model_corrupt') await rm(partial, { force: true });
      throw err;
    });
    if (result.sha256 !== sha256) {
      await rm(partial, { force: true });
      throw new AgentError(
        'model_corrupt',
        `model ${load.model} failed verification: expected sha256 ${sha256}, got ${result.sha256} (${result.bytes} bytes from ${url}); the download was discarded`,
      );
    }
    await renameDurably(partial, this.blobPath(sha256));
    return result.bytes;
  }

  /** Refuses a download that would not fit on the disk with `diskReserveBytes` to spare. */
  private async checkSpace(model: string, remaining: number): Promise<void> {
    const free = await this.settings.freeDiskBytes(this.dir);
    if (free >= remaining + this.settings.diskReserveBytes) return;
    throw new AgentError(
      'insufficient_disk',
      `not enough disk space for model ${model}: it needs ${mib(remaining)} MiB more under ${this.dir}, ` +
        `${mib(free)} MiB are free and ${mib(this.settings.diskReserveBytes)} MiB are kept spare; free space or remove unused models`,
    );
  }
}

/** The blob name and mirror URL of a load request, or model_unavailable. */
function checkLoad(load: LoadMessage): { sha256: string; url: string } {
  if (load.sha256 === null || load.url === null) {
    throw new AgentError('model_unavailable', `model ${load.model} has no weights in the hub's mirror (no sha256 or url in the load request)`);
  }
  const sha256 = load.sha256.toLowerCase();
  if (!SHA256_HEX.test(sha256)) throw new AgentError('model_unavailable', `model ${load.model} has a malformed sha256 "${load.sha256}"`);
  return { sha256, url: load.url };
}

/** File-system failures while storing become AgentErrors that say where. */
function asStoreError(err: unknown, dir: string): AgentError {
  if (err instanceof AgentError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOSPC') return new AgentError('insufficient_disk', `the disk under ${dir} is full; free space or remove unused models`, { cause: err });
  return new AgentError('store_failed', `the model store under ${dir} failed: ${e.message ?? String(err)}`, { cause: err });
}

function mib(bytes: number): number {
  return Math.ceil(bytes / MiB);
}
