import type { CatalogModel } from '../../store/types.ts';
import type { ModelList, ModelObject } from './types.ts';

/**
 * A catalog model as an OpenAI Model object, with Porten's `capabilities` and `context_length`
 * added (the official schema allows extra fields; clients ignore them). `created` defaults to when
 * the model entered the catalog, in unix seconds.
 */
export function modelObject(model: CatalogModel, created: number = unixSeconds(model.created_at)): ModelObject {
  return { id: model.id, object: 'model', created, owned_by: 'porten', capabilities: [...model.capabilities], context_length: model.context_length };
}

/** `GET /v1/models`: the given models (already filtered to what the key may use), in the order given. */
export function modelList(models: readonly CatalogModel[]): ModelList {
  return { object: 'list', data: models.map((m) => modelObject(m)) };
}

function unixSeconds(timestamp: string | Date): number {
  const ms = new Date(timestamp).getTime();
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : 0;
}
