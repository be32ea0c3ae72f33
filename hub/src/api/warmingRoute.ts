import type { Request, Response } from 'express';
import { HubError } from '../errors/index.ts';
import type { ModelPlacement, RoutingDirectory } from '../routing/index.ts';

/**
 * `GET /public/v1/models/warming?model=ID` — load progress of a catalog model, no key needed (the
 * console polls it). Says whether it is ready and how far a load got, never which node loads it.
 */
export function warmingRoute(directory: RoutingDirectory, placement: ModelPlacement) {
  return async (req: Request, res: Response): Promise<void> => {
    const id = req.query.model;
    if (typeof id !== 'string' || id === '') throw new HubError('invalid_request_error', 'query parameter `model` is required, e.g. ?model=qwen2.5-7b', { param: 'model' });
    const model = await directory.model(id);
    if (!model || !model.enabled) throw new HubError('model_not_found', `The model \`${id}\` does not exist in this hub's catalog; GET /v1/models lists the models you can use.`, { param: 'model' });
    res.json(await placement.status(model));
  };
}
