import { randomInt } from 'node:crypto';
import type pg from 'pg';
import { generateSecret, hashSecret, SECRET_PREFIX } from '../auth/secrets.ts';
import { HubError } from '../errors/index.ts';
import type { TrustClass } from '../policy/index.ts';
import { inTransaction, type Queryable } from './db.ts';
import { insertNode, setNodeCredential } from './nodesStore.ts';
import type { Enrollment, NodeRecord } from './types.ts';

const COLUMNS = 'id, user_code, name, inventory, status, node_id, created_at, expires_at';
// No 0/O, 1/I/L, so a code read aloud or typed from a phone survives.
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

function userCode(): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += ALPHABET[randomInt(ALPHABET.length)];
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

/** Normalises what an operator typed ("abcd efgh", "ABCDEFGH") to the stored form. */
export function normaliseUserCode(input: string): string {
  const s = input.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return s.length === 8 ? `${s.slice(0, 4)}-${s.slice(4)}` : input.toUpperCase();
}

export async function createEnrollment(
  db: Queryable,
  input: { name: string; inventory: Record<string, unknown>; ttlS: number },
): Promise<{ enrollment: Enrollment; pollSecret: string }> {
  const pollSecret = generateSecret(SECRET_PREFIX.poll);
  for (let attempt = 0; ; attempt++) {
    try {
      const r = await db.query(
        `insert into enrollments (user_code, poll_secret_hash, name, inventory, expires_at)
         values ($1, $2, $3, $4, now() + make_interval(secs => $5)) returning ${COLUMNS}`,
        [userCode(), hashSecret(pollSecret), input.name, JSON.stringify(input.inventory), input.ttlS],
      );
      return { enrollment: r.rows[0], pollSecret };
    } catch (err) {
      if ((err as { code?: string }).code !== '23505' || attempt >= 5) throw err;
    }
  }
}

export async function listEnrollments(db: Queryable, status?: Enrollment['status']): Promise<Enrollment[]> {
  if (status === 'pending') {
    return (await db.query(`select ${COLUMNS} from enrollments where status = 'pending' and expires_at > now() order by created_at`)).rows;
  }
  if (status) return (await db.query(`select ${COLUMNS} from enrollments where status = $1 order by created_at`, [status])).rows;
  return (await db.query(`select ${COLUMNS} from enrollments order by created_at`)).rows;
}

/** One enrollment by the code an operator typed (any case, with or without the dash), whatever its status. */
export async function getEnrollmentByCode(db: Queryable, code: string): Promise<Enrollment | undefined> {
  return (await db.query(`select ${COLUMNS} from enrollments where user_code = $1`, [normaliseUserCode(code)])).rows[0];
}

async function lockPending(client: pg.PoolClient, code: string): Promise<Enrollment & { expired: boolean }> {
  const r = await client.query(`select ${COLUMNS}, expires_at <= now() as expired from enrollments where user_code = $1 for update`, [
    normaliseUserCode(code),
  ]);
  const e = r.rows[0];
  if (!e) throw new HubError('not_found', `no enrollment with code ${code}: check the code the node printed`);
  if (e.status !== 'pending') throw new HubError('conflict', `enrollment ${e.user_code} is already ${e.status}`);
  if (e.expired) throw new HubError('enrollment_expired', `enrollment ${e.user_code} has expired: run \`porten login\` on the node again`);
  return e;
}

/** Approves a pending enrollment: creates the node with the operator's org, region and trust class. */
export async function approveEnrollment(
  pool: pg.Pool,
  code: string,
  decision: { org_id: string; region: string; trust_class: TrustClass; name?: string; by: string },
): Promise<NodeRecord> {
  return inTransaction(pool, async (client) => {
    const e = await lockPending(client, code);
    const node = await insertNode(client, {
      org_id: decision.org_id,
      name: decision.name ?? e.name,
      region: decision.region,
      trust_class: decision.trust_class,
      inventory: e.inventory,
      approved_by: decision.by,
    });
    await client.query(`update enrollments set status = 'approved', node_id = $2, decided_by = $3, decided_at = now() where id = $1`, [
      e.id,
      node.id,
      decision.by,
    ]);
    return node;
  });
}

export async function denyEnrollment(pool: pg.Pool, code: string, by: string): Promise<Enrollment> {
  return inTransaction(pool, async (client) => {
    const e = await lockPending(client, code);
    const r = await client.query(
      `update enrollments set status = 'denied', decided_by = $2, decided_at = now() where id = $1 returning ${COLUMNS}`,
      [e.id, by],
    );
    return r.rows[0];
  });
}

export type PollResult = { status: 'approved'; node: { id: string }; credential: string };

/**
 * The agent's poll. Approved → the node credential is generated *now* and returned exactly once (only
 * its hash is stored); pending → `authorization_pending`; denied/expired/already collected → errors.
 */
export async function pollEnrollment(pool: pg.Pool, pollSecret: string): Promise<PollResult> {
  return inTransaction(pool, async (client) => {
    const r = await client.query(`select ${COLUMNS}, expires_at <= now() as expired from enrollments where poll_secret_hash = $1 for update`, [
      hashSecret(pollSecret),
    ]);
    const e = r.rows[0];
    if (!e) throw new HubError('invalid_node_credential', 'unknown enrollment poll token: run `porten login` again');
    switch (e.status) {
      case 'pending':
        if (e.expired) throw new HubError('enrollment_expired', `enrollment ${e.user_code} expired before an operator approved it: run \`porten login\` again`);
        throw new HubError('authorization_pending', `waiting for an operator to approve code ${e.user_code}`);
      case 'denied':
        throw new HubError('enrollment_denied', `an operator denied enrollment ${e.user_code}`);
      case 'completed':
        throw new HubError('enrollment_expired', `the credential for enrollment ${e.user_code} was already issued: run \`porten login\` again`);
      case 'approved': {
        const credential = generateSecret(SECRET_PREFIX.node);
        await setNodeCredential(client, e.node_id, credential);
        await client.query(`update enrollments set status = 'completed' where id = $1`, [e.id]);
        return { status: 'approved', node: { id: e.node_id }, credential };
      }
      default:
        throw new Error(`enrollment ${e.id} has unknown status ${e.status}`);
    }
  });
}
