import { generateSecret, SECRET_PREFIX } from '../auth/secrets.ts';
import type { HubDeps } from '../deps.ts';
import { HubError } from '../errors/index.ts';
import { adminTokens } from '../store/index.ts';
import { pathParam, type AdminRoute } from './adminRoute.ts';
import { tokenBody } from './requestBodies.ts';
import { requireFound } from './requireFound.ts';
import { ADMIN_ONLY } from './roles.ts';
import { parseBody } from '../validation/bodyRules.ts';

/**
 * Admin tokens (admin role only). The secret is in the POST response only (`token`); the database
 * keeps its sha256. Tokens are checked on every request, so a revocation takes effect at once.
 * Revoking the last active admin token is refused when HUB_ADMIN_TOKEN is not set, so the site cannot
 * lock itself out.
 */
export function tokensRoutes(deps: HubDeps): AdminRoute[] {
  return [
    {
      method: 'get',
      path: '/tokens',
      roles: ADMIN_ONLY,
      async handle(_req, res) {
        res.json({ data: await adminTokens.listAdminTokens(deps.pool) });
      },
    },
    {
      method: 'post',
      path: '/tokens',
      roles: ADMIN_ONLY,
      async handle(req, res) {
        const body = parseBody(req.body, tokenBody);
        const secret = generateSecret(SECRET_PREFIX.adminToken);
        const token = await adminTokens.insertAdminToken(deps.pool, { ...body, secret });
        res.status(201).json({ ...token, token: secret });
      },
    },
    {
      method: 'delete',
      path: '/tokens/:id',
      roles: ADMIN_ONLY,
      async handle(req, res) {
        const id = pathParam(req, 'id');
        const notFound = `no admin token with id ${id}`;
        const existing = requireFound(await adminTokens.getAdminToken(deps.pool, id), notFound);
        if (
          existing.role === 'admin' &&
          existing.revoked_at === null &&
          deps.config.adminToken === undefined &&
          (await adminTokens.countAdminTokens(deps.pool)) <= 1
        ) {
          throw new HubError('conflict', 'this is the last active admin token and HUB_ADMIN_TOKEN is not set: create another admin token first');
        }
        res.json(requireFound(await adminTokens.revokeAdminToken(deps.pool, id), notFound));
      },
    },
  ];
}
