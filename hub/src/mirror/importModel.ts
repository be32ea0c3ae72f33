import type { Readable } from 'node:stream';
import type { HubEvent } from '../events/index.ts';
import { models, type CatalogModel, type ModelCapability, type Queryable } from '../store/index.ts';
import type { BlobStore } from './blobStore.ts';
import { GGUF_HEADER_BYTES, parseGgufHeader } from './ggufHeader.ts';

/** Catalog fields an import may set; what is not given comes from the existing entry, else the defaults below. */
export interface ImportFields {
  /** When given, the file must have this digest or nothing is stored. */
  sha256?: string;
  context_length?: number;
  capabilities?: ModelCapability[];
  memory_mb?: number;
  enabled?: boolean;
}

export interface ImportTarget {
  pool: Queryable;
  blobs: BlobStore;
  /** HUB_MAX_MODEL_BYTES */
  maxBytes: number;
  /** Tells every replica (and this one) that the catalog changed; best-effort. */
  publish(event: HubEvent): Promise<void>;
}

export interface ImportResult {
  model: CatalogModel;
  /** The catalog entry did not exist before. */
  entryCreated: boolean;
  /** The blob was not in the mirror before (false: an idempotent re-import). */
  blobCreated: boolean;
}

/** Defaults for an entry created by an import, the same as the `models` table's column defaults. */
const NEW_ENTRY = { context_length: 4096, capabilities: ['chat'] as ModelCapability[], enabled: true };

/**
 * Memory a loaded model needs, estimated from its file size when the operator does not say: the
 * weights themselves plus 20 % for the KV cache and compute buffers at a moderate context. Placement
 * uses it only to decide whether a node can load the model; operators who know better pass memory_mb.
 */
export function estimateMemoryMb(sizeBytes: number): number {
  return Math.max(1, Math.ceil((sizeBytes / 1024 ** 2) * 1.2));
}

/**
 * Imports a GGUF model: the one path for the admin API (PUT /admin/v1/models/{id}/weights) and the
 * `porten-hub import-model` CLI. Streams the file into the mirror (GGUF header checked on the first
 * bytes, digest verified when expected), then creates or updates the catalog entry `id` with format
 * gguf, the blob's sha256 and size, and publishes `catalog_changed`. Nothing reaches the catalog
 * unless the blob is stored. If the catalog write fails after the blob was stored, the blob stays
 * (unreferenced, so never served); importing again is idempotent and completes the entry.
 */
export async function importModel(target: ImportTarget, id: string, source: Readable | AsyncIterable<Buffer>, fields: ImportFields): Promise<ImportResult> {
  const blob = await target.blobs.put(source, {
    maxBytes: target.maxBytes,
    head: { bytes: GGUF_HEADER_BYTES, check: parseGgufHeader },
    ...(fields.sha256 !== undefined ? { expectedSha256: fields.sha256 } : {}),
  });
  const existing = await models.getModel(target.pool, id);
  // memory_mb follows the weights: kept only when the same blob is imported again, else re-estimated.
  const keptMemory = existing && existing.sha256 === blob.sha256 && existing.memory_mb > 0 ? existing.memory_mb : undefined;
  const model = await models.upsertModel(target.pool, {
    id,
    format: 'gguf',
    sha256: blob.sha256,
    size_bytes: blob.size,
    context_length: fields.context_length ?? existing?.context_length ?? NEW_ENTRY.context_length,
    capabilities: fields.capabilities ?? existing?.capabilities ?? NEW_ENTRY.capabilities,
    memory_mb: fields.memory_mb ?? keptMemory ?? estimateMemoryMb(blob.size),
    enabled: fields.enabled ?? existing?.enabled ?? NEW_ENTRY.enabled,
  });
  await target.publish({ type: 'catalog_changed' });
  return { model, entryCreated: existing === undefined, blobCreated: blob.created };
}
