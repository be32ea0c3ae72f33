import { randomUUID } from 'node:crypto';
import type { AuditEntry } from './types.ts';

/** Test fixtures: a realistic `route` entry as the router builds it (no content, like the real one). */
export function sampleEntry(overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    event: 'route',
    request_id: `req_${randomUUID()}`,
    key_id: randomUUID(),
    org_id: randomUUID(),
    model: 'llama-3.1-8b',
    node_id: randomUUID(),
    node_region: 'eu-west',
    node_org_id: randomUUID(),
    node_trust: 'trusted',
    policy: { fleet: 'own', regions: ['eu-west'], min_trust: 'trusted', models: null },
    outcome: 'dispatched',
    detail: { attempt: 1 },
    ...overrides,
  };
}
