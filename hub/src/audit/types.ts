import type { KeyPolicy } from '../policy/index.ts';

/**
 * One audit record as the router hands it over. Never carries prompt or completion content.
 * `route` is written (durably) before the prompt leaves the hub; `complete` after the node finished;
 * `refuse` for a request refused at routing time or later in the pipeline.
 */
export interface AuditEntry {
  event: 'route' | 'complete' | 'refuse';
  request_id: string;
  key_id: string | null;
  org_id: string | null;
  model: string | null;
  node_id?: string | null;
  node_region?: string | null;
  node_org_id?: string | null;
  node_trust?: string | null;
  policy?: KeyPolicy | null;
  /** e.g. `dispatched`, `served`, `failed`, `refused`. */
  outcome: string;
  error_code?: string | null;
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  /** Milliseconds: hub_added, ttft, total, … */
  timings?: Record<string, number> | null;
  detail?: Record<string, unknown> | null;
}

/** A stored record: the entry plus its place in the chain. */
export interface AuditRecord extends Required<Omit<AuditEntry, 'policy' | 'timings' | 'detail'>> {
  seq: number;
  at: string;
  policy: KeyPolicy | null;
  timings: Record<string, number> | null;
  detail: Record<string, unknown> | null;
  prev_hash: string;
  hash: string;
}

export interface VerifyResult {
  ok: boolean;
  records: number;
  /** The first record at which the chain breaks, and why; null when ok. */
  first_bad: { seq: number; reason: string } | null;
}
