import { GENESIS_HASH, recordHash } from './canonicalRecord.ts';
import type { AuditRecord, ChainHead } from './types.ts';

export interface ChainBreak {
  seq: number;
  reason: string;
}

export interface ChainCheckOptions {
  /**
   * Where the walk starts: the record before the first one fed (default: the genesis, seq 0 with 64
   * zeros). The offline verifier sets it from a partial export's first line, taking that link on trust.
   */
  after?: ChainHead;
  /** An externally kept checkpoint: the record at `anchor.seq` must carry `anchor.hash`. */
  anchor?: ChainHead;
}

/**
 * The chain rules, fed one record at a time in seq order so that a chain of any length is checked in
 * constant memory. Shared by verifyChain (database) and verifyExport (offline file) — one definition
 * of what "intact" means. Stops at the first break: later records cannot be trusted to be judged
 * against a broken predecessor.
 *
 * For each record n, in this order:
 *  1. its seq follows the previous one (a gap means deleted records);
 *  2. its stored hash matches its own contents (catches any edit that did not re-hash);
 *  3. its prev_hash equals record n-1's stored hash (catches an edit of n-1 that did re-hash);
 *  4. if it is the anchor, its hash equals the anchored hash.
 * At the end, the last record must be the head (catches a removed tail and records added past it).
 */
export class ChainCheck {
  #last: ChainHead;
  readonly #start: number;
  #records = 0;
  #broken: ChainBreak | null = null;
  readonly #anchor: ChainHead | undefined;
  #anchorSeen = false;

  constructor(options: ChainCheckOptions = {}) {
    this.#last = options.after ?? { seq: 0, hash: GENESIS_HASH };
    this.#start = this.#last.seq;
    this.#anchor = options.anchor;
  }

  /** Records checked and found intact so far. */
  get records(): number {
    return this.#records;
  }

  /** The last intact record (seq 0 before any). */
  get last(): ChainHead {
    return this.#last;
  }

  get broken(): ChainBreak | null {
    return this.#broken;
  }

  /** Checks the next record; returns the break (also kept in `broken`) or null. */
  push(r: AuditRecord): ChainBreak | null {
    if (this.#broken) return this.#broken;
    const expected = this.#last.seq + 1;
    if (r.seq < expected) return this.#break(r.seq, `record ${r.seq} appears again or out of order after record ${this.#last.seq}`);
    if (r.seq > expected) {
      const which = r.seq - expected === 1 ? `record ${expected} is missing` : `records ${expected} to ${r.seq - 1} are missing`;
      return this.#break(expected, which);
    }
    if (recordHash(r.prev_hash, r) !== r.hash) return this.#break(r.seq, `record ${r.seq} was altered: stored hash does not match its contents`);
    if (r.prev_hash !== this.#last.hash) {
      if (r.seq === 1) return this.#break(1, 'record 1 does not start the chain: its prev_hash is not 64 zeros');
      return this.#break(
        r.seq - 1,
        `record ${r.seq - 1} was altered and its hash recomputed: record ${r.seq} links to a different hash (or record ${r.seq} was rewritten)`,
      );
    }
    if (this.#anchor && r.seq === this.#anchor.seq) {
      this.#anchorSeen = true;
      if (r.hash !== this.#anchor.hash) return this.#break(r.seq, `record ${r.seq} does not match the checkpoint: its hash is ${r.hash}, the checkpoint says ${this.#anchor.hash}`);
    }
    this.#last = { seq: r.seq, hash: r.hash };
    this.#records += 1;
    return null;
  }

  /** Ends the walk: compares with the stored head (when given) and the anchor. */
  finish(head: ChainHead | null): ChainBreak | null {
    if (this.#broken) return this.#broken;
    const last = this.#last;
    if (head) {
      if (last.seq < head.seq) {
        const what = last.seq === 0 ? 'all records were removed' : `records after ${last.seq} were removed`;
        return this.#break(last.seq + 1, `${what}: head says ${head.seq}`);
      }
      if (last.seq > head.seq) {
        return this.#break(head.seq + 1, `record ${head.seq + 1} lies beyond the head (head says ${head.seq}): records were added outside the audit log`);
      }
      if (last.hash !== head.hash) {
        return this.#break(last.seq, `record ${last.seq} does not match the head: its hash differs from the head's (the record was rewritten and re-hashed, or the head was edited)`);
      }
    }
    if (this.#anchor && !this.#anchorSeen && this.#anchor.seq > 0) {
      return this.#break(this.#anchor.seq, `record ${this.#anchor.seq} named by the checkpoint is not among the records checked (they end at ${last.seq})`);
    }
    return null;
  }

  #break(seq: number, reason: string): ChainBreak {
    // A break may be blamed on a record already counted (a re-hashed one is only caught at its
    // successor or at the head): only the records before the blamed one count as intact.
    this.#records = Math.max(0, Math.min(this.#records, seq - 1 - this.#start));
    this.#broken = { seq, reason };
    return this.#broken;
  }
}
