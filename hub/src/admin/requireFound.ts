import type { Queryable } from '../store/index.ts';
import { orgs, type Org } from '../store/index.ts';
import { HubError } from '../errors/index.ts';

/** `value`, or 404 `not_found` with `message` (unknown and malformed ids alike). */
export function requireFound<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw new HubError('not_found', message);
  return value;
}

/** The organization a body refers to. An unknown org is a bad field (400, `param`), not a missing resource. */
export async function requireOrg(db: Queryable, orgId: string, param = 'org_id'): Promise<Org> {
  const org = await orgs.getOrg(db, orgId);
  if (!org) throw new HubError('invalid_request_error', `${param} ${orgId} is not an organization on this hub: create it with POST /admin/v1/orgs`, { param });
  return org;
}
