import { hashSecret } from '../auth/secrets.ts';
import type { TrustClass } from '../policy/index.ts';
import type { Queryable } from './db.ts';
import { isUuid } from './orgsStore.ts';
import type { NodeRecord } from './types.ts';

const COLUMNS = 'id, org_id, name, region, trust_class, status, inventory, approved_by, created_at, updated_at, revoked_at';

export async function insertNode(
  db: Queryable,
  input: { org_id: string; name: string; region: string; trust_class: TrustClass; inventory: Record<string, unknown>; approved_by: string },
): Promise<NodeRecord> {
  return (
    await db.query(
      `insert into nodes (org_id, name, region, trust_class, inventory, approved_by) values ($1, $2, $3, $4, $5, $6) returning ${COLUMNS}`,
      [input.org_id, input.name, input.region, input.trust_class, JSON.stringify(input.inventory), input.approved_by],
    )
  ).rows[0];
}

export async function listNodes(db: Queryable): Promise<NodeRecord[]> {
  return (await db.query(`select ${COLUMNS} from nodes order by created_at`)).rows;
}

/** Nodes that may be routed to (approved, not revoked). The router's candidate universe. */
export async function listApprovedNodes(db: Queryable): Promise<NodeRecord[]> {
  return (await db.query(`select ${COLUMNS} from nodes where status = 'approved' order by id`)).rows;
}

export async function getNode(db: Queryable, id: string): Promise<NodeRecord | undefined> {
  if (!isUuid(id)) return undefined;
  return (await db.query(`select ${COLUMNS} from nodes where id = $1`, [id])).rows[0];
}

export async function updateNode(db: Queryable, id: string, patch: { region?: string; trust_class?: TrustClass; name?: string }): Promise<NodeRecord | undefined> {
  if (!isUuid(id)) return undefined;
  const sets: string[] = [];
  const values: unknown[] = [id];
  for (const field of ['region', 'trust_class', 'name'] as const) {
    if (patch[field] !== undefined) {
      values.push(patch[field]);
      sets.push(`${field} = $${values.length}`);
    }
  }
  sets.push('updated_at = now()');
  return (await db.query(`update nodes set ${sets.join(', ')} where id = $1 returning ${COLUMNS}`, values)).rows[0];
}

export async function revokeNode(db: Queryable, id: string): Promise<NodeRecord | undefined> {
  if (!isUuid(id)) return undefined;
  return (
    await db.query(
      `update nodes set status = 'revoked', credential_hash = null, revoked_at = coalesce(revoked_at, now()), updated_at = now()
       where id = $1 returning ${COLUMNS}`,
      [id],
    )
  ).rows[0];
}

export async function setNodeCredential(db: Queryable, id: string, credential: string): Promise<void> {
  await db.query(`update nodes set credential_hash = $2 where id = $1 and status = 'approved'`, [id, hashSecret(credential)]);
}

/** The approved node a tunnel credential belongs to. Revoked nodes have no credential. */
export async function findApprovedNodeByCredential(db: Queryable, credential: string): Promise<NodeRecord | undefined> {
  return (await db.query(`select ${COLUMNS} from nodes where credential_hash = $1 and status = 'approved'`, [hashSecret(credential)])).rows[0];
}
