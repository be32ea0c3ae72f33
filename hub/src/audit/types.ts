import type { KeyPolicy } from '../policy/index.ts';
import type { ContentKey } from './contentKeys.ts';

export const AUDIT_EVENTS = ['route', 'complete', 'refuse'] as const;
export type AuditEvent = (typeof AUDIT_EVENTS)[number];

/**
 * Free-form facts about a decision (attempt number, refusal message, …). Never content: the keys of
 * contentKeys.ts are refused here at the type level, and append() rejects them at run time at any
 * depth (see that file for why rejecting beats stripping).
 */
export type AuditDetail = Record<string, unknown> & { [K in ContentKey]?: never };

/**
 * One audit record as the router hands it over. Never carries prompt or completion content.
 * `route` is written (durably) before the prompt leaves the hub; `complete` after the node finished;
 * `refuse` for a request refused at routing time or later in the pipeline.
 */
export interface AuditEntry {
  event: AuditEvent;
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
  detail?: AuditDetail | null;
}

/** A stored record: the entry plus its place in the chain. */
export interface AuditRecord extends Required<Omit<AuditEntry, 'policy' | 'timings' | 'detail'>> {
  seq: number;
  /** ISO 8601 with millisecond precision, assigned by the hub when append() was called. */
  at: string;
  policy: KeyPolicy | null;
  timings: Record<string, number> | null;
  detail: Record<string, unknown> | null;
  prev_hash: string;
  hash: string;
}

/** The chain head as stored in `audit_head`: the last record's seq and hash (0 and 64 zeros when empty). */
export interface ChainHead {
  seq: number;
  hash: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Records checked and found intact before the first break (the whole chain when ok). */
  records: number;
  /** The first record at which the chain breaks, and why; null when ok. */
  first_bad: { seq: number; reason: string } | null;
  /**
   * The head the walk was checked against. Auditors keep this (seq + hash) outside the hub: a later
   * verify anchored on it proves that nothing up to it was rewritten, even by a database superuser.
   */
  head: ChainHead;
}

/** Filter for queryAudit/exportAudit. Every field narrows; results are in ascending seq order. */
export interface AuditFilter {
  /** Inclusive lower bound on `at` (ISO 8601). */
  from?: string;
  /** Exclusive upper bound on `at` (ISO 8601). */
  to?: string;
  key_id?: string;
  node_id?: string;
  org_id?: string;
  event?: AuditEvent;
  /** Keyset cursor: only records with seq greater than this. */
  after_seq?: number;
}

export interface AuditQuery extends AuditFilter {
  /** Page size, 1–1000 (default 100). */
  limit?: number;
}

export interface AuditPage {
  records: AuditRecord[];
  /** Pass as `after_seq` for the next page; null when this page was the last. */
  next_after_seq: number | null;
}
