import type { HubDeps } from '../deps.ts';
import { HubError } from '../errors/index.ts';
import { installs } from '../store/index.ts';
import { adminOf } from './adminAuth.ts';
import type { AdminRoute } from './adminRoute.ts';
import { installBody } from './requestBodies.ts';
import { ANY_ROLE, MANAGERS } from './roles.ts';
import { parseBody } from '../validation/bodyRules.ts';

/**
 * Install records: `portenctl airgap install` posts one when it finished installing a signed bundle
 * (version, bundle sha256, the verification report); auditors read them. Append-only: no route
 * changes or deletes one.
 */
export function installsRoutes(deps: HubDeps): AdminRoute[] {
  return [
    {
      method: 'get',
      path: '/installs',
      roles: ANY_ROLE,
      async handle(_req, res) {
        res.json({ data: await installs.listInstalls(deps.pool) });
      },
    },
    {
      method: 'post',
      path: '/installs',
      roles: MANAGERS,
      async handle(req, res) {
        const body = parseBody(req.body, installBody);
        for (const field of ['started_at', 'finished_at'] as const) {
          if (Number.isNaN(Date.parse(body[field]))) throw new HubError('invalid_request_error', `${field} must be an ISO 8601 time, e.g. 2026-11-24T10:00:00Z`, { param: field });
        }
        res.status(201).json(await installs.addInstall(deps.pool, { ...body, recorded_by: adminOf(res).name }));
      },
    },
  ];
}
