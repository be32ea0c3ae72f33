/**
 * Offline verification of an audit export (GET /admin/v1/audit/export, unfiltered), for auditors:
 *
 *   node verifyExport.ts [--checkpoint SEQ:HASH] < export.jsonl
 *
 * Needs Node 24 and this file's two siblings (canonicalRecord.ts, chainCheck.ts) — nothing else, no
 * network, no database. Applies the same rules as the hub's own verify (ChainCheck): every record's
 * hash matches its contents, each links to the one before, seqs have no gaps. An export starting at
 * seq 1 is checked from the genesis; one starting later (exported with after_seq) takes its first
 * link on trust and prints it, so consecutive exports can be chained by hand. The last hash printed
 * should equal the head hash the auditor recorded from /admin/v1/audit/verify; `--checkpoint` makes
 * that comparison (or one against any earlier recorded head) part of the run.
 * Exit status: 0 intact, 1 broken, 2 unusable input.
 */
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ChainCheck, type ChainBreak } from './chainCheck.ts';
import type { AuditRecord, ChainHead } from './types.ts';

export interface ExportVerdict {
  /** Null when every record checked is intact. */
  broken: ChainBreak | null;
  records: number;
  first: ChainHead | null;
  last: ChainHead | null;
}

/** Checks JSON lines in order. Throws (with the line number) on a line that is not an audit record. */
export async function verifyExportLines(lines: AsyncIterable<string>, checkpoint?: ChainHead): Promise<ExportVerdict> {
  let check: ChainCheck | null = null;
  let first: ChainHead | null = null;
  let n = 0;
  for await (const line of lines) {
    n += 1;
    if (line.trim() === '') continue;
    const r = parseRecord(line, n);
    if (!check) {
      first = { seq: r.seq, hash: r.prev_hash };
      const after = r.seq === 1 ? undefined : { seq: r.seq - 1, hash: r.prev_hash };
      check = new ChainCheck({ ...(after && { after }), ...(checkpoint && { anchor: checkpoint }) });
    }
    if (check.push(r)) break;
  }
  if (!check) return { broken: null, records: 0, first: null, last: null };
  return { broken: check.finish(null), records: check.records, first, last: check.last };
}

function parseRecord(line: string, n: number): AuditRecord {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new Error(`line ${n} is not JSON: an export has one audit record per line`);
  }
  const r = v as Partial<AuditRecord> | null;
  const hex = /^[0-9a-f]{64}$/;
  if (!r || typeof r !== 'object' || !Number.isSafeInteger(r.seq) || !hex.test(String(r.hash)) || !hex.test(String(r.prev_hash))) {
    throw new Error(`line ${n} is not an audit record (needs seq, prev_hash and hash)`);
  }
  return r as AuditRecord;
}

function parseCheckpoint(args: string[]): ChainHead | undefined {
  const i = args.indexOf('--checkpoint');
  if (i < 0) return undefined;
  const m = /^(\d+):([0-9a-f]{64})$/.exec(args[i + 1] ?? '');
  if (!m) throw new Error('--checkpoint takes SEQ:HASH, e.g. --checkpoint 1200:<64 hex digits> as printed by /admin/v1/audit/verify');
  return { seq: Number(m[1]), hash: m[2]! };
}

async function main(): Promise<number> {
  try {
    const checkpoint = parseCheckpoint(process.argv.slice(2));
    const v = await verifyExportLines(createInterface({ input: process.stdin, crlfDelay: Infinity }), checkpoint);
    if (v.broken) {
      console.log(`BROKEN at record ${v.broken.seq}: ${v.broken.reason} (${v.records} records intact before it)`);
      return 1;
    }
    if (!v.first || !v.last) {
      console.log('the export holds no records: nothing to verify');
      return 2;
    }
    const from = v.first.seq === 1 ? 'from the genesis' : `trusting record ${v.first.seq}'s link to ${v.first.hash}`;
    console.log(`ok: records ${v.first.seq} to ${v.last.seq} intact (${from}); last hash ${v.last.hash}`);
    return 0;
  } catch (err) {
    console.log(`cannot verify: ${(err as Error).message}`);
    return 2;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await main();
