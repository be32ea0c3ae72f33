import { sql as m0001 } from './0001_initial.ts';
import { sql as m0002 } from './0002_install_records.ts';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Every migration, in order, as `NNNN_name` (the number is the version) and its SQL. Each one is a
 * module exporting its SQL, listed here by hand: a new migration is a new `NNNN_name.ts` file and a
 * new line below (index.test.ts fails when a file is not listed).
 *
 * Modules rather than `.sql` files read from disk, so that the migrations are inside the hub's
 * single executable (esbuild bundles them like any import) and a source run reads exactly the same
 * text. Rejected: SEA assets read with `node:sea` getAsset — a second loading path that only the
 * built executable takes, plus a source fallback, where a module works the same in both.
 */
const MIGRATIONS: readonly (readonly [string, string])[] = [
  ['0001_initial', m0001],
  ['0002_install_records', m0002],
];

/** The migrations this hub knows, in order. */
export function knownMigrations(): Migration[] {
  return MIGRATIONS.map(([id, sql]) => ({ version: Number(id.slice(0, 4)), name: id.slice(5), sql }));
}
