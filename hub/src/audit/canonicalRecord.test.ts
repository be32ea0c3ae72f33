import { describe, expect, it } from 'vitest';
import { GENESIS_HASH, canonicalJson, canonicalRecord, recordHash, type HashedFields } from './canonicalRecord.ts';
import { normalizeEntry } from './normalizeEntry.ts';
import { sampleEntry } from './sampleEntries.ts';

/**
 * The canonical form is a compatibility contract: every stored hash depends on it. The vector below
 * was written by hand (and hashed with plain node:crypto); if this test fails, existing chains would
 * no longer verify — change the form only with a versioned migration of the verifier.
 */
const VECTOR: HashedFields = {
  seq: 1,
  at: '2026-01-02T03:04:05.678Z',
  event: 'route',
  request_id: 'req_1',
  key_id: '00000000-0000-4000-8000-000000000001',
  org_id: '00000000-0000-4000-8000-000000000002',
  model: 'm',
  node_id: null,
  node_region: 'eu',
  node_org_id: null,
  node_trust: 'trusted',
  policy: { regions: ['eu'], fleet: 'own', models: null, min_trust: null },
  outcome: 'dispatched',
  error_code: null,
  prompt_tokens: null,
  completion_tokens: null,
  timings: { hub_added_ms: 0.5 },
  detail: { note: 'é "q"', attempt: 1 },
};

describe('canonical record form', () => {
  it('matches the hand-written vector and its hash', () => {
    expect(canonicalRecord(VECTOR)).toBe(
      '{"at":"2026-01-02T03:04:05.678Z","completion_tokens":null,"detail":{"attempt":1,"note":"é \\"q\\""},"error_code":null,"event":"route",' +
        '"key_id":"00000000-0000-4000-8000-000000000001","model":"m","node_id":null,"node_org_id":null,"node_region":"eu","node_trust":"trusted",' +
        '"org_id":"00000000-0000-4000-8000-000000000002","outcome":"dispatched","policy":{"fleet":"own","min_trust":null,"models":null,"regions":["eu"]},' +
        '"prompt_tokens":null,"request_id":"req_1","seq":1,"timings":{"hub_added_ms":0.5}}',
    );
    expect(recordHash(GENESIS_HASH, VECTOR)).toBe('6c8fedb9804460458544c370b5fd6d1dfac9b94fc13d6a21d43980ef1b7bf452');
  });

  it('sorts keys at every depth, keeps array order, writes no whitespace, and ignores key order', () => {
    expect(canonicalJson({ b: [3, { d: 1, c: 2 }], a: 'x' })).toBe('{"a":"x","b":[3,{"c":2,"d":1}]}');
    expect(canonicalJson({ a: 1, b: 2 })).toBe(canonicalJson({ b: 2, a: 1 }));
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
  });

  it('writes numbers as ECMAScript does (RFC 8785) and refuses what JSON cannot carry', () => {
    expect(canonicalJson([1e21, 1e-7, 0.1 + 0.2, -0, 100])).toBe('[1e+21,1e-7,0.30000000000000004,0,100]');
    expect(() => canonicalJson(Number.NaN)).toThrow(/NaN/);
    expect(() => canonicalJson(10n)).toThrow(/bigint/);
  });

  it('covers every stored field but the hash fields, so any edit changes the hash', () => {
    const base = { ...normalizeEntry(sampleEntry()), at: VECTOR.at, seq: 7 };
    const h = recordHash(GENESIS_HASH, base);
    for (const [k, v] of Object.entries({ seq: 8, at: '2026-01-02T03:04:05.679Z', outcome: 'served', node_region: 'us', detail: { attempt: 2 }, policy: null })) {
      expect(recordHash(GENESIS_HASH, { ...base, [k]: v })).not.toBe(h);
    }
    expect(recordHash('1'.repeat(64), base)).not.toBe(h);
  });
});
