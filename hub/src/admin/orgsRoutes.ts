import type { HubDeps } from '../deps.ts';
import { orgs } from '../store/index.ts';
import type { AdminRoute } from './adminRoute.ts';
import { orgBody } from './requestBodies.ts';
import { ANY_ROLE, MANAGERS } from './roles.ts';
import { parseBody } from '../validation/bodyRules.ts';

/** Organizations own keys and nodes. Create and list only: renaming or deleting would orphan policy. */
export function orgsRoutes(deps: HubDeps): AdminRoute[] {
  return [
    {
      method: 'get',
      path: '/orgs',
      roles: ANY_ROLE,
      async handle(_req, res) {
        res.json({ data: await orgs.listOrgs(deps.pool) });
      },
    },
    {
      method: 'post',
      path: '/orgs',
      roles: MANAGERS,
      async handle(req, res) {
        const body = parseBody(req.body, orgBody);
        res.status(201).json(await orgs.createOrg(deps.pool, body.name));
      },
    },
  ];
}
