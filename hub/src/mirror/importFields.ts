import { modelImportParams } from '../admin/requestBodies.ts';
import { parseQueryParams } from '../validation/bodyRules.ts';
import type { ImportFields } from './importModel.ts';

/**
 * Reads the import options — query parameters of PUT /admin/v1/models/{id}/weights, or the flags of
 * `porten-hub import-model` collected under the same names — with the admin API's validator, so both
 * ways refuse the same mistakes with the same messages (`param` names the option).
 */
export function parseImportFields(raw: Record<string, unknown>): ImportFields {
  const p = parseQueryParams(raw, modelImportParams);
  const fields: ImportFields = {};
  if (p.sha256 !== undefined) fields.sha256 = p.sha256;
  if (p.context_length !== undefined) fields.context_length = p.context_length;
  if (p.capabilities !== undefined) fields.capabilities = p.capabilities;
  if (p.memory_mb !== undefined) fields.memory_mb = p.memory_mb;
  if (p.enabled !== undefined) fields.enabled = p.enabled === 'true';
  return fields;
}
