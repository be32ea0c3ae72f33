import { HubError } from '../errors/index.ts';
import type { RoutingDirectory } from '../routing/index.ts';
import type { ApiKey, CatalogModel, ModelCapability } from '../store/index.ts';

/**
 * The catalog entry a request names, checked for the capability the endpoint needs.
 * Unknown or disabled → 404 `model_not_found`; lacking the capability (e.g. tools) → 400 naming `param`.
 * (The key's model allow-list is enforced by the router, which audits that refusal.)
 */
export async function resolveModel(
  directory: RoutingDirectory,
  id: string,
  requires: { capability: ModelCapability; param: string; what: string }[],
): Promise<CatalogModel> {
  const model = await directory.model(id);
  if (!model || !model.enabled) {
    throw new HubError('model_not_found', `The model \`${id}\` does not exist in this hub's catalog; GET /v1/models lists the models your key can use.`, { param: 'model' });
  }
  for (const r of requires) {
    if (!model.capabilities.includes(r.capability)) {
      throw new HubError('invalid_request_error', `The model \`${id}\` does not support ${r.what}; choose a model whose catalog entry lists "${r.capability}" (GET /v1/models shows capabilities).`, {
        param: r.param,
      });
    }
  }
  return model;
}

/** Whether a key may list/use a model at all (its allow-list), for GET /v1/models. */
export function keyAllowsModel(key: ApiKey, modelId: string): boolean {
  return key.models === null || key.models.includes(modelId);
}
