import type { Request, Response } from 'express';
import { HubError } from '../errors/index.ts';
import type { ApiKey } from '../store/index.ts';
import { modelList, modelObject } from './format/index.ts';
import { keyAllowsModel, resolveModel } from './resolveModel.ts';
import type { ApiContext } from './routeContext.ts';

/** `GET /v1/models`: the enabled catalog models this key may use, with their capabilities. */
export function listModelsRoute({ directory }: ApiContext) {
  return async (_req: Request, res: Response): Promise<void> => {
    const key = res.locals.key as ApiKey;
    const models = (await directory.allModels()).filter((m) => m.enabled && keyAllowsModel(key, m.id));
    res.json(modelList(models));
  };
}

/** `GET /v1/models/{id}`: one model; 404 when it is not in the catalog or not on this key's allow-list. */
export function getModelRoute({ directory }: ApiContext) {
  return async (req: Request, res: Response): Promise<void> => {
    const key = res.locals.key as ApiKey;
    const id = String(req.params.id);
    if (!keyAllowsModel(key, id)) {
      throw new HubError('model_not_found', `The model \`${id}\` is not available to this API key; GET /v1/models lists the models it can use.`, { param: 'model' });
    }
    res.json(modelObject(await resolveModel(directory, id, [])));
  };
}
