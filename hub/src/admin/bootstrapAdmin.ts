import { generateSecret, SECRET_PREFIX } from '../auth/secrets.ts';
import type { HubDeps } from '../deps.ts';
import { adminTokens, inTransaction } from '../store/index.ts';
import { BOOTSTRAP_TOKEN_NAME } from './adminAuth.ts';

// Any constant works; it only has to be the same on every replica.
const BOOTSTRAP_LOCK = 0x706f7274656e01n;

/**
 * First start without HUB_ADMIN_TOKEN: makes sure the site can be administered. If no active admin
 * token exists in the database, one is generated, only its hash is stored, and the token itself is
 * written ONCE to `write` (stderr) — it is never logged again. A transaction-scoped advisory lock
 * keeps replicas starting together from minting one each.
 *
 * Returns the generated token (for tests), or undefined when nothing was needed. Also the recovery
 * path: with every admin token revoked, restarting the hub prints a fresh one.
 */
export async function ensureBootstrapAdmin(
  deps: Pick<HubDeps, 'config' | 'pool' | 'log'>,
  write: (text: string) => void = (t) => process.stderr.write(t),
): Promise<string | undefined> {
  if (deps.config.adminToken !== undefined) return undefined;
  const token = await inTransaction(deps.pool, async (client) => {
    await client.query('select pg_advisory_xact_lock($1)', [BOOTSTRAP_LOCK.toString()]);
    if ((await adminTokens.countAdminTokens(client)) > 0) return undefined;
    const secret = generateSecret(SECRET_PREFIX.adminToken);
    await adminTokens.insertAdminToken(client, { name: BOOTSTRAP_TOKEN_NAME, role: 'admin', secret });
    return secret;
  });
  if (token === undefined) return undefined;
  write(
    [
      '',
      `first start: admin token ${token}`,
      '  It is shown only this once and only its hash is stored: keep it somewhere safe now.',
      '  Use it as "Authorization: Bearer <token>" on /admin/v1; create named tokens with POST /admin/v1/tokens.',
      '',
    ].join('\n') + '\n',
  );
  deps.log.warn('generated the first admin token and printed it once to stderr', { token_name: BOOTSTRAP_TOKEN_NAME });
  return token;
}
