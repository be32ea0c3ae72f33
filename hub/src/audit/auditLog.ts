import type pg from 'pg';
import { HubError } from '../errors/index.ts';
import type { HubMetrics } from '../metrics/index.ts';
import { BatchWriter, type TimedEntry } from './batchWriter.ts';
import { normalizeEntry } from './normalizeEntry.ts';
import { storeUnavailable } from './storeUnavailable.ts';
import type { AuditEntry } from './types.ts';

/** How long a non-durable record may wait to share the next batch (see append). */
const LAZY_FLUSH_MS = 20;

export interface AuditLogOptions {
  /** Most records written in one transaction (bounds statement size and lock time). Default 1000. */
  maxBatch?: number;
}

interface Pending {
  entry: TimedEntry;
  durable: boolean;
  resolve(v: { seq: number }): void;
  reject(e: Error): void;
}

/**
 * The hash-chained audit log with group commit.
 *
 * At most one batch transaction is in flight per AuditLog. An append arriving while none is starts
 * one at once (after the current microtask, so appends made in the same tick share it): a lone
 * append costs one transaction. Appends arriving while a batch commits wait and go together in the
 * next one, so throughput grows with concurrency while each caller waits at most about two commits.
 * Replicas each run their own AuditLog; the `audit_head` row lock orders their batches.
 *
 * Metrics: counts `auditRecords` per committed record. `auditFailures` is counted by the caller, which
 * knows whether the failure refused a request.
 */
export class AuditLog {
  readonly #writer: BatchWriter;
  readonly #metrics: HubMetrics;
  readonly #maxBatch: number;
  #queue: Pending[] = [];
  #draining: Promise<void> | null = null;
  #closed = false;
  #lazyTimer: NodeJS.Timeout | undefined;

  constructor(pool: pg.Pool, metrics: HubMetrics, options: AuditLogOptions = {}) {
    this.#writer = new BatchWriter(pool);
    this.#metrics = metrics;
    this.#maxBatch = options.maxBatch ?? 1000;
  }

  /**
   * Resolves with the record's seq once it is durably committed in the chain. Rejects with HubError
   * `service_unavailable` when the audit store cannot take it (nothing of it is written then, unless
   * the connection died during COMMIT — see appendBatch), or after close(); with `internal_error` when
   * the entry itself is invalid or carries a content key (see normalizeEntry / contentKeys).
   *
   * `durable: false` is for records no action waits on (completion records, refusals). They wait up
   * to LAZY_FLUSH_MS to ride along with the next batch (usually the next request's dispatch record)
   * instead of costing a transaction of their own, and a batch of only such records commits without
   * waiting for the disk flush, which PostgreSQL does within wal_writer_delay. The chain stays whole
   * either way — a crash can only lose a tail of such records together with the head that points at
   * them — and a later durable commit flushes them first (the WAL is sequential). The record that
   * must precede dispatch is always durable and always starts a batch at once.
   */
  append(entry: AuditEntry, options: { durable?: boolean } = {}): Promise<{ seq: number }> {
    if (this.#closed) {
      return Promise.reject(new HubError('service_unavailable', 'the audit log is shut down, so the request was refused: no audit record can be written'));
    }
    let timed: TimedEntry;
    try {
      // `at` is assigned here, by the hub, at millisecond precision, so verify recomputes it exactly.
      timed = { ...normalizeEntry(entry), at: new Date().toISOString() };
    } catch (err) {
      return Promise.reject(err);
    }
    const durable = options.durable ?? true;
    return new Promise((resolve, reject) => {
      this.#queue.push({ entry: timed, durable, resolve, reject });
      if (durable) this.#flushNow();
      else if (!this.#draining) this.#lazyTimer ??= setTimeout(() => this.#flushNow(), LAZY_FLUSH_MS);
    });
  }

  #flushNow(): void {
    if (this.#lazyTimer) clearTimeout(this.#lazyTimer);
    this.#lazyTimer = undefined;
    this.#draining ??= this.#drain();
  }

  /** Writes everything already appended, then refuses further appends. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#queue.length > 0) this.#flushNow();
    await this.#draining;
  }

  async #drain(): Promise<void> {
    await Promise.resolve(); // let appends made in the same tick join the first batch
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#maxBatch);
        try {
          const first = await this.#writer.write(
            batch.map((p) => p.entry),
            batch.some((p) => p.durable),
          );
          batch.forEach((p, i) => {
            this.#metrics.auditRecords.inc({ event: p.entry.event });
            p.resolve({ seq: first + i });
          });
        } catch (err) {
          const e = storeUnavailable(err, 'the request was refused: its audit record could not be committed durably');
          for (const p of batch) p.reject(e);
        }
      }
    } finally {
      this.#draining = null;
    }
  }
}
