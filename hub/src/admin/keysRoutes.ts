import { generateSecret, SECRET_PREFIX } from '../auth/secrets.ts';
import type { HubDeps } from '../deps.ts';
import { HubError } from '../errors/index.ts';
import { keys } from '../store/index.ts';
import { pathParam, type AdminRoute } from './adminRoute.ts';
import { keyCreateBody, keyPatchBody, uuid } from './requestBodies.ts';
import { requireFound, requireOrg } from './requireFound.ts';
import { ANY_ROLE, MANAGERS } from './roles.ts';
import { parseBody, parsePatch, parseQuery } from '../validation/bodyRules.ts';

/**
 * API keys and their routing policy. The secret exists in one response only (POST, field `key`);
 * the database keeps its sha256. Every change publishes `key_changed` so policy caches on every
 * replica drop the key at once.
 */
export function keysRoutes(deps: HubDeps): AdminRoute[] {
  const notFound = (id: string) => `no API key with id ${id}`;
  return [
    {
      method: 'get',
      path: '/keys',
      roles: ANY_ROLE,
      async handle(req, res) {
        const orgId = parseQuery(req.query, 'org_id', uuid());
        res.json({ data: await keys.listKeys(deps.pool, orgId) });
      },
    },
    {
      method: 'post',
      path: '/keys',
      roles: MANAGERS,
      async handle(req, res) {
        const body = parseBody(req.body, keyCreateBody);
        await requireOrg(deps.pool, body.org_id);
        const secret = generateSecret(SECRET_PREFIX.apiKey);
        const key = await keys.insertKey(deps.pool, { ...body, secret });
        await deps.events.publish({ type: 'key_changed', key_id: key.id });
        res.status(201).json({ ...key, key: secret });
      },
    },
    {
      method: 'get',
      path: '/keys/:id',
      roles: ANY_ROLE,
      async handle(req, res) {
        const id = pathParam(req, 'id');
        res.json(requireFound(await keys.getKey(deps.pool, id), notFound(id)));
      },
    },
    {
      method: 'patch',
      path: '/keys/:id',
      roles: MANAGERS,
      async handle(req, res) {
        const id = pathParam(req, 'id');
        const patch = parsePatch(req.body, keyPatchBody);
        const existing = requireFound(await keys.getKey(deps.pool, id), notFound(id));
        if (existing.revoked_at !== null) throw new HubError('conflict', `API key ${id} is revoked; create a new key instead`);
        const key = requireFound(await keys.updateKeyPolicy(deps.pool, id, patch), notFound(id));
        await deps.events.publish({ type: 'key_changed', key_id: key.id });
        res.json(key);
      },
    },
    {
      method: 'delete',
      path: '/keys/:id',
      roles: MANAGERS,
      async handle(req, res) {
        const id = pathParam(req, 'id');
        const key = requireFound(await keys.revokeKey(deps.pool, id), notFound(id));
        await deps.events.publish({ type: 'key_changed', key_id: key.id });
        res.json(key);
      },
    },
  ];
}
