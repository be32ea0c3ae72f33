import type { HubDeps } from '../deps.ts';
import { HubError } from '../errors/index.ts';
import type { Presence } from '../presence/index.ts';
import { nodes, type NodeRecord } from '../store/index.ts';
import { pathParam, type AdminRoute } from './adminRoute.ts';
import { nodePatchBody } from './requestBodies.ts';
import { requireFound } from './requireFound.ts';
import { ANY_ROLE, MANAGERS } from './roles.ts';
import { parseEmptyBody, parsePatch } from '../validation/bodyRules.ts';

/**
 * A node as the API shows it: the operator's record from PostgreSQL plus live presence from Redis.
 * `online`/`loaded_models` are null when presence cannot be read (Redis down): "unknown" is reported
 * as unknown, never guessed, and the list is still served.
 */
export function nodeView(n: NodeRecord, presence: Map<string, Presence> | null) {
  const p = presence?.get(n.id);
  return {
    ...n,
    online: presence === null ? null : p !== undefined,
    loaded_models: presence === null ? null : (p?.loaded_models ?? []),
    last_heartbeat_at: p ? new Date(p.heartbeat_at).toISOString() : null,
  };
}

/** Nodes are created by approving an enrollment; here they are listed, re-classified and revoked. */
export function nodesRoutes(deps: HubDeps): AdminRoute[] {
  const notFound = (id: string) => `no node with id ${id}`;

  async function presenceOf(ids: string[]): Promise<Map<string, Presence> | null> {
    try {
      return await deps.presence.getMany(ids);
    } catch (err) {
      deps.log.warn('node presence unavailable; listing nodes with online=null', { err: (err as Error).message });
      return null;
    }
  }

  return [
    {
      method: 'get',
      path: '/nodes',
      roles: ANY_ROLE,
      async handle(_req, res) {
        const list = await nodes.listNodes(deps.pool);
        const presence = await presenceOf(list.map((n) => n.id));
        res.json({ data: list.map((n) => nodeView(n, presence)) });
      },
    },
    {
      method: 'get',
      path: '/nodes/:id',
      roles: ANY_ROLE,
      async handle(req, res) {
        const id = pathParam(req, 'id');
        const node = requireFound(await nodes.getNode(deps.pool, id), notFound(id));
        res.json(nodeView(node, await presenceOf([node.id])));
      },
    },
    {
      method: 'patch',
      path: '/nodes/:id',
      roles: MANAGERS,
      async handle(req, res) {
        const id = pathParam(req, 'id');
        const patch = parsePatch(req.body, nodePatchBody);
        const existing = requireFound(await nodes.getNode(deps.pool, id), notFound(id));
        if (existing.status === 'revoked') throw new HubError('conflict', `node ${id} is revoked; enroll the machine again to use it`);
        const node = requireFound(await nodes.updateNode(deps.pool, id, patch), notFound(id));
        // Every replica drops its cached node list (routing uses the new values at once), and the
        // replica holding the node's tunnel sends it an `assignment` frame — for `porten status`
        // only: routing never takes region or trust class from the node.
        await deps.events.publish({ type: 'node_changed', node_id: node.id });
        res.json(nodeView(node, await presenceOf([node.id])));
      },
    },
    {
      method: 'post',
      path: '/nodes/:id/revoke',
      roles: MANAGERS,
      async handle(req, res) {
        const id = pathParam(req, 'id');
        parseEmptyBody(req.body);
        const node = requireFound(await nodes.revokeNode(deps.pool, id), notFound(id));
        // Every replica's tunnel server listens for this and cuts the node's tunnel at once.
        await deps.events.publish({ type: 'node_revoked', node_id: node.id });
        res.json(nodeView(node, await presenceOf([node.id])));
      },
    },
  ];
}
