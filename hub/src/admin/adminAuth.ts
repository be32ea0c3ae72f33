import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { HubDeps } from '../deps.ts';
import { HubError } from '../errors/index.ts';
import { adminTokens, type AdminRole } from '../store/index.ts';

/** The caller of an admin route, set on `res.locals.admin` by `authenticateAdmin`. `id` is null for the configured bootstrap token. */
export interface AdminIdentity {
  role: AdminRole;
  name: string;
  id: string | null;
}

/** Name of the identity behind HUB_ADMIN_TOKEN, as it appears in logs and `approved_by`. */
export const BOOTSTRAP_TOKEN_NAME = 'bootstrap';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Equal-length digests make the comparison constant-time whatever the lengths of the inputs. */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

/**
 * Express middleware: accepts `Authorization: Bearer <token>` where the token is HUB_ADMIN_TOKEN
 * (role admin) or an active token from `admin_tokens`. Anything else — missing, malformed, unknown,
 * revoked — is 401 `invalid_admin_token`. If the token store cannot be read the request is refused
 * with 503 (fail closed). Use it on its own for "any role" (e.g. /metrics) or with `requireRole`.
 */
export function authenticateAdmin(deps: Pick<HubDeps, 'config' | 'pool' | 'log'>) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const header = req.header('authorization');
    if (header === undefined) throw new HubError('invalid_admin_token', 'missing admin token: send Authorization: Bearer <admin token>');
    const token = BEARER.exec(header)?.[1];
    if (token === undefined) throw new HubError('invalid_admin_token', 'malformed Authorization header: expected "Bearer <admin token>"');

    const configured = deps.config.adminToken;
    if (configured !== undefined && sameSecret(token, configured)) {
      res.locals.admin = { role: 'admin', name: BOOTSTRAP_TOKEN_NAME, id: null } satisfies AdminIdentity;
      next();
      return;
    }
    let found;
    try {
      found = await adminTokens.findActiveAdminTokenBySecret(deps.pool, token);
    } catch (err) {
      deps.log.warn('admin token lookup failed', { requestId: res.locals.requestId, err: (err as Error).message });
      throw new HubError('service_unavailable', 'the hub cannot check admin tokens right now (database unreachable); try again', { cause: err });
    }
    if (!found) throw new HubError('invalid_admin_token', 'admin token is not valid: it is unknown or has been revoked');
    res.locals.admin = { role: found.role, name: found.name, id: found.id } satisfies AdminIdentity;
    next();
  };
}

/** The authenticated caller. Throws 401 if `authenticateAdmin` did not run (a wiring mistake must not open a route). */
export function adminOf(res: Response): AdminIdentity {
  const admin = res.locals.admin as AdminIdentity | undefined;
  if (!admin) throw new HubError('invalid_admin_token', 'missing admin token: send Authorization: Bearer <admin token>');
  return admin;
}

/** Express middleware: 403 `insufficient_role` unless the caller's role is one of `roles`. Needs `authenticateAdmin` before it. */
export function requireRole(...roles: readonly AdminRole[]) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const admin = adminOf(res);
    if (!roles.includes(admin.role)) {
      throw new HubError(
        'insufficient_role',
        `this route needs role ${roles.join(' or ')}; token "${admin.name}" has role ${admin.role}`,
      );
    }
    next();
  };
}
