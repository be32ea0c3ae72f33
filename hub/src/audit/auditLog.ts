import type pg from 'pg';
import type { HubMetrics } from '../metrics/index.ts';
import type { AuditEntry } from './types.ts';

/** STUB — replaced by the audit implementation (group-committed hash chain). */
export class AuditLog {
  private readonly pool: pg.Pool;
  private readonly metrics: HubMetrics;

  constructor(pool: pg.Pool, metrics: HubMetrics) {
    this.pool = pool;
    this.metrics = metrics;
  }

  /** Resolves once the record is durably committed in the chain; rejects if it could not be. */
  async append(_entry: AuditEntry): Promise<{ seq: number }> {
    void this.pool;
    void this.metrics;
    throw new Error('audit not implemented');
  }

  async close(): Promise<void> {}
}
