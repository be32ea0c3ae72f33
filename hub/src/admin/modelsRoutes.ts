import type { Request } from 'express';
import type { HubDeps } from '../deps.ts';
import { HubError } from '../errors/index.ts';
import { BlobStore, importModel, parseImportFields, type ImportTarget } from '../mirror/index.ts';
import { models } from '../store/index.ts';
import { pathParam, type AdminRoute } from './adminRoute.ts';
import { modelBody, modelId } from './requestBodies.ts';
import { requireFound } from './requireFound.ts';
import { ANY_ROLE, MANAGERS } from './roles.ts';
import { parseBody } from '../validation/bodyRules.ts';
import { invalid } from '../validation/invalid.ts';

/**
 * The model catalog: what the site offers. POST creates or replaces an entry by id (201 when new,
 * 200 when replaced) and publishes `catalog_changed`; a gguf entry names its blob by sha256 and size.
 * PUT /models/{id}/weights imports the GGUF file itself into the hub's mirror and creates or updates
 * the entry from it (mirror/importModel.ts; the `porten-hub import-model` CLI does the same offline).
 * Ids may contain "/": encode it as %2F in paths.
 */
export function modelsRoutes(deps: HubDeps): AdminRoute[] {
  const importTarget: ImportTarget = {
    pool: deps.pool,
    blobs: new BlobStore(deps.config.blobDir), // the directory was prepared at start (hub.ts)
    maxBytes: deps.config.maxModelBytes,
    publish: (e) => deps.events.publish(e),
  };
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
    {
      method: 'put',
      path: '/models/:id/weights',
      roles: MANAGERS,
      async handle(req, res) {
        try {
          const id = modelId().parse(pathParam(req, 'id'), 'id');
          const fields = parseImportFields(req.query as Record<string, unknown>);
          checkUpload(req, deps.config.maxModelBytes);
          const result = await importModel(importTarget, id, req, fields).catch((err: unknown) => {
            if (err instanceof HubError || req.complete) throw err;
            throw new HubError('invalid_request_error', 'the upload ended before the whole file arrived; nothing was stored: send it again', { param: 'body', cause: err });
          });
          deps.log.info('model weights imported', {
            requestId: res.locals.requestId,
            model: id,
            sha256: result.model.sha256,
            size_bytes: result.model.size_bytes,
            blob: result.blobCreated ? 'stored' : 'already held',
          });
          res.status(result.entryCreated ? 201 : 200).json(result.model);
        } catch (err) {
          // Refused before the whole body was read: close the connection rather than read gigabytes to keep it alive.
          if (!req.complete) res.setHeader('Connection', 'close');
          throw err;
        }
      },
    },
  ];
}

/** The body must be the raw file (no JSON parser consumed it) and announce no more than the hub accepts. */
function checkUpload(req: Request, maxBytes: number): void {
  if (req.header('content-type') !== undefined && req.is('application/octet-stream') === false) {
    throw new HubError('unsupported_media_type', 'send the GGUF file itself as the body with Content-Type: application/octet-stream (e.g. curl -T model.gguf -H "Content-Type: application/octet-stream")');
  }
  const declared = Number(req.header('content-length'));
  if (declared > maxBytes) {
    throw new HubError('request_too_large', `the model file (${declared} bytes) is larger than this hub accepts (HUB_MAX_MODEL_BYTES=${maxBytes} bytes); nothing was stored`);
  }
}
