import { describe, expect, it } from 'vitest';
import { HubError } from '../errors/index.ts';
import { normalizeEntry } from './normalizeEntry.ts';
import { sampleEntry } from './sampleEntries.ts';
import type { AuditEntry } from './types.ts';

function refusal(entry: unknown): HubError {
  try {
    normalizeEntry(entry as AuditEntry);
  } catch (err) {
    return err as HubError;
  }
  throw new Error('expected the entry to be refused');
}

describe('normalizeEntry', () => {
  it('keeps only the known fields, fills absent ones with null and lower-cases UUIDs', () => {
    const e = sampleEntry({ key_id: 'ABCDEF01-2345-6789-ABCD-EF0123456789' });
    const out = normalizeEntry({ ...e, extra: 'never stored' } as AuditEntry);
    expect(out).not.toHaveProperty('extra');
    expect(out.key_id).toBe('abcdef01-2345-6789-abcd-ef0123456789');
    expect(normalizeEntry({ event: 'refuse', request_id: 'r', key_id: null, org_id: null, model: null, outcome: 'refused' })).toMatchObject({ node_id: null, detail: null, timings: null });
  });

  it('refuses content keys anywhere, in any case — the type already forbids the common ones', () => {
    // @ts-expect-error: `messages` is not allowed in AuditDetail
    const typed: AuditEntry = sampleEntry({ detail: { messages: [] } });
    expect(refusal(typed).message).toMatch(/entry\.detail\.messages would store prompt or completion content/);
    expect(refusal(sampleEntry({ detail: { a: [{ b: { TEXT: 'x' } }] } })).message).toMatch(/entry\.detail\.a\.0\.b\.TEXT/);
    expect(refusal({ ...sampleEntry(), completion: 'x' }).code).toBe('internal_error');
  });

  it('refuses values PostgreSQL would reject, so they cannot fail a shared batch', () => {
    expect(refusal(sampleEntry({ node_id: 'n1' })).message).toMatch(/node_id must be a UUID/);
    expect(refusal(sampleEntry({ completion_tokens: 2 ** 31 })).message).toMatch(/completion_tokens/);
    expect(refusal(sampleEntry({ timings: { total_ms: Number.POSITIVE_INFINITY } })).message).toMatch(/timings\.total_ms/);
    expect(refusal(sampleEntry({ event: 'deleted' as never })).message).toMatch(/event must be one of/);
    expect(refusal(sampleEntry({ detail: { big: 'x'.repeat(900), more: 'y'.repeat(900), list: Array(20).fill('z'.repeat(500)) } })).message).toMatch(/detail is larger/);
    const deep: Record<string, unknown> = {};
    let at = deep;
    for (let i = 0; i < 12; i++) at = at.n = {} as Record<string, unknown>;
    expect(refusal(sampleEntry({ detail: deep })).message).toMatch(/nested deeper/);
  });

  it('repairs strings instead of refusing them: NUL, lone surrogates, excessive length', () => {
    const out = normalizeEntry(sampleEntry({ outcome: 'a\u0000b', detail: { msg: `x\ud800y`, long: 'z'.repeat(2000) } }));
    expect(out.outcome).toBe('a\uFFFDb');
    expect(out.detail).toMatchObject({ msg: 'x\uFFFDy', long: `${'z'.repeat(1024)}…[truncated]` });
  });
});
