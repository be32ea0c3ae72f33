import { hashSecret } from '../auth/secrets.ts';
import type { Queryable } from './db.ts';
import { isUuid } from './orgsStore.ts';
import type { AdminRole, AdminToken } from './types.ts';

const COLUMNS = 'id, name, role, created_at, revoked_at';

export async function insertAdminToken(db: Queryable, input: { name: string; role: AdminRole; secret: string }): Promise<AdminToken> {
  return (
    await db.query(`insert into admin_tokens (name, role, secret_hash) values ($1, $2, $3) returning ${COLUMNS}`, [
      input.name,
      input.role,
      hashSecret(input.secret),
    ])
  ).rows[0];
}

export async function listAdminTokens(db: Queryable): Promise<AdminToken[]> {
  return (await db.query(`select ${COLUMNS} from admin_tokens order by created_at`)).rows;
}

export async function getAdminToken(db: Queryable, id: string): Promise<AdminToken | undefined> {
  if (!isUuid(id)) return undefined;
  return (await db.query(`select ${COLUMNS} from admin_tokens where id = $1`, [id])).rows[0];
}

export async function revokeAdminToken(db: Queryable, id: string): Promise<AdminToken | undefined> {
  if (!isUuid(id)) return undefined;
  return (await db.query(`update admin_tokens set revoked_at = coalesce(revoked_at, now()) where id = $1 returning ${COLUMNS}`, [id])).rows[0];
}

export async function findActiveAdminTokenBySecret(db: Queryable, secret: string): Promise<AdminToken | undefined> {
  return (await db.query(`select ${COLUMNS} from admin_tokens where secret_hash = $1 and revoked_at is null`, [hashSecret(secret)])).rows[0];
}

export async function countAdminTokens(db: Queryable): Promise<number> {
  return Number((await db.query(`select count(*)::int as n from admin_tokens where role = 'admin' and revoked_at is null`)).rows[0].n);
}
