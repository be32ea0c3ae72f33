import type { KeyPolicy } from '../policy/index.ts';
import { hashSecret } from '../auth/secrets.ts';
import type { Queryable } from './db.ts';
import { isUuid } from './orgsStore.ts';
import type { ApiKey } from './types.ts';

const COLUMNS = 'id, org_id, name, prefix, fleet, regions, min_trust, models, created_at, updated_at, revoked_at';

export async function insertKey(db: Queryable, input: { org_id: string; name: string; secret: string } & KeyPolicy): Promise<ApiKey> {
  const r = await db.query(
    `insert into api_keys (org_id, name, prefix, secret_hash, fleet, regions, min_trust, models)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${COLUMNS}`,
    [input.org_id, input.name, input.secret.slice(0, 14), hashSecret(input.secret), input.fleet, input.regions, input.min_trust, input.models],
  );
  return r.rows[0];
}

export async function listKeys(db: Queryable, orgId?: string): Promise<ApiKey[]> {
  if (orgId !== undefined) {
    if (!isUuid(orgId)) return [];
    return (await db.query(`select ${COLUMNS} from api_keys where org_id = $1 order by created_at`, [orgId])).rows;
  }
  return (await db.query(`select ${COLUMNS} from api_keys order by created_at`)).rows;
}

export async function getKey(db: Queryable, id: string): Promise<ApiKey | undefined> {
  if (!isUuid(id)) return undefined;
  return (await db.query(`select ${COLUMNS} from api_keys where id = $1`, [id])).rows[0];
}

/** Changes the policy fields given; returns the updated key, or undefined when there is no such key. */
export async function updateKeyPolicy(db: Queryable, id: string, patch: Partial<KeyPolicy> & { name?: string }): Promise<ApiKey | undefined> {
  if (!isUuid(id)) return undefined;
  const sets: string[] = [];
  const values: unknown[] = [id];
  for (const field of ['name', 'fleet', 'regions', 'min_trust', 'models'] as const) {
    if (field in patch) {
      values.push(patch[field]);
      sets.push(`${field} = $${values.length}`);
    }
  }
  sets.push('updated_at = now()');
  return (await db.query(`update api_keys set ${sets.join(', ')} where id = $1 and revoked_at is null returning ${COLUMNS}`, values)).rows[0];
}

export async function revokeKey(db: Queryable, id: string): Promise<ApiKey | undefined> {
  if (!isUuid(id)) return undefined;
  return (await db.query(`update api_keys set revoked_at = coalesce(revoked_at, now()) where id = $1 returning ${COLUMNS}`, [id])).rows[0];
}

/** The key a secret belongs to, if it exists and is not revoked. */
export async function findActiveKeyBySecret(db: Queryable, secret: string): Promise<ApiKey | undefined> {
  return (await db.query(`select ${COLUMNS} from api_keys where secret_hash = $1 and revoked_at is null`, [hashSecret(secret)])).rows[0];
}
