import type { Queryable } from './db.ts';

/** One install from a signed offline bundle (migration 0002). */
export interface InstallRecordRow {
  id: string;
  version: string;
  revision: string;
  kind: 'release' | 'models';
  bundle_sha256: string;
  signer_key_id: string;
  verification: Record<string, unknown>;
  images: Record<string, unknown>[];
  models: Record<string, unknown>[];
  started_at: string;
  finished_at: string;
  recorded_by: string;
  recorded_at: string;
}

const COLUMNS = 'id, version, revision, kind, bundle_sha256, signer_key_id, verification, images, models, started_at, finished_at, recorded_by, recorded_at';

export async function addInstall(db: Queryable, r: Omit<InstallRecordRow, 'id' | 'recorded_at'>): Promise<InstallRecordRow> {
  const res = await db.query(
    `insert into install_records (version, revision, kind, bundle_sha256, signer_key_id, verification, images, models, started_at, finished_at, recorded_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning ${COLUMNS}`,
    [r.version, r.revision, r.kind, r.bundle_sha256, r.signer_key_id, JSON.stringify(r.verification), JSON.stringify(r.images), JSON.stringify(r.models), r.started_at, r.finished_at, r.recorded_by],
  );
  return res.rows[0];
}

/** Newest first. */
export async function listInstalls(db: Queryable): Promise<InstallRecordRow[]> {
  return (await db.query(`select ${COLUMNS} from install_records order by recorded_at desc, id`)).rows;
}
