import type { HubDeps } from '../deps.ts';
import { models } from '../store/index.ts';
import { pathParam, type AdminRoute } from './adminRoute.ts';
import { modelBody } from './requestBodies.ts';
import { requireFound } from './requireFound.ts';
import { ANY_ROLE, MANAGERS } from './roles.ts';
import { invalid, parseBody } from './validateBody.ts';

/**
 * The model catalog: what the site offers. POST creates or replaces an entry by id (201 when new,
 * 200 when replaced) and publishes `catalog_changed`. Uploading the GGUF blob into the hub's mirror
 * is a separate step (not yet here); a gguf entry names the blob by sha256 and size.
 * Ids may contain "/": encode it as %2F in GET /models/{id}.
 */
export function modelsRoutes(deps: HubDeps): AdminRoute[] {
  return [
    {
      method: 'get',
      path: '/models',
      roles: ANY_ROLE,
      async handle(_req, res) {
        res.json({ data: await models.listModels(deps.pool) });
      },
    },
    {
      method: 'post',
      path: '/models',
      roles: MANAGERS,
      async handle(req, res) {
        const body = parseBody(req.body, modelBody);
        if (body.format === 'gguf') {
          if (body.sha256 === null) invalid('sha256', 'sha256 is required for a gguf model: the sha256 of its weights file');
          if (body.size_bytes === null) invalid('size_bytes', 'size_bytes is required for a gguf model: the size of its weights file');
        }
        const model = await models.upsertModel(deps.pool, body);
        await deps.events.publish({ type: 'catalog_changed' });
        // One statement sets both timestamps to now() on insert; a replace keeps the original created_at.
        res.status(model.created_at === model.updated_at ? 201 : 200).json(model);
      },
    },
    {
      method: 'get',
      path: '/models/:id',
      roles: ANY_ROLE,
      async handle(req, res) {
        const id = pathParam(req, 'id');
        res.json(requireFound(await models.getModel(deps.pool, id), `no model with id ${id} in the catalog`));
      },
    },
  ];
}
