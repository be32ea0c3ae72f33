import { HubError } from '../errors/index.ts';
import type { Queryable } from './db.ts';
import type { Org } from './types.ts';

export async function createOrg(db: Queryable, name: string): Promise<Org> {
  try {
    const r = await db.query('insert into orgs (name) values ($1) returning id, name, created_at', [name]);
    return r.rows[0];
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw new HubError('conflict', `an organization named "${name}" already exists`, { param: 'name' });
    throw err;
  }
}

export async function listOrgs(db: Queryable): Promise<Org[]> {
  return (await db.query('select id, name, created_at from orgs order by created_at, name')).rows;
}

export async function getOrg(db: Queryable, id: string): Promise<Org | undefined> {
  if (!isUuid(id)) return undefined;
  return (await db.query('select id, name, created_at from orgs where id = $1', [id])).rows[0];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids are UUIDs; checking first turns a malformed id into "not found" instead of a database error. */
export function isUuid(v: unknown): v is string {
  return typeof v === 'string' && UUID.test(v);
}
