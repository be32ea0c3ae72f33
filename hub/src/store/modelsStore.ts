import type { Queryable } from './db.ts';
import type { CatalogModel, ModelCapability } from './types.ts';

const COLUMNS = 'id, format, sha256, size_bytes, context_length, capabilities, memory_mb, enabled, created_at, updated_at';

export interface ModelInput {
  id: string;
  format: 'gguf' | 'external';
  sha256: string | null;
  size_bytes: number | null;
  context_length: number;
  capabilities: ModelCapability[];
  memory_mb: number;
  enabled: boolean;
}

/** Creates or replaces a catalog entry (imports are idempotent by id). */
export async function upsertModel(db: Queryable, m: ModelInput): Promise<CatalogModel> {
  return (
    await db.query(
      `insert into models (id, format, sha256, size_bytes, context_length, capabilities, memory_mb, enabled)
       values ($1, $2, $3, $4, $5, $6, $7, $8)
       on conflict (id) do update set format = excluded.format, sha256 = excluded.sha256, size_bytes = excluded.size_bytes,
         context_length = excluded.context_length, capabilities = excluded.capabilities, memory_mb = excluded.memory_mb,
         enabled = excluded.enabled, updated_at = now()
       returning ${COLUMNS}`,
      [m.id, m.format, m.sha256, m.size_bytes, m.context_length, m.capabilities, m.memory_mb, m.enabled],
    )
  ).rows[0];
}

export async function listModels(db: Queryable): Promise<CatalogModel[]> {
  return (await db.query(`select ${COLUMNS} from models order by id`)).rows;
}

export async function getModel(db: Queryable, id: string): Promise<CatalogModel | undefined> {
  return (await db.query(`select ${COLUMNS} from models where id = $1`, [id])).rows[0];
}
