// Migration 2 as a module (see ./index.ts). Forward-only: never edit a released migration.
export const sql = `-- Install records: what was installed on this site from a signed offline bundle, written by
-- \`portenctl airgap install\` once an install finished, read by auditors (GET /admin/v1/installs).
-- Append-only by the admin API: there is no route that changes or deletes one.
create table install_records (
  id             uuid primary key default gen_random_uuid(),
  version        text not null,
  revision       text not null,
  kind           text not null check (kind in ('release', 'models')),
  bundle_sha256  text not null check (bundle_sha256 ~ '^[0-9a-f]{64}$'),
  signer_key_id  text not null,
  verification   jsonb not null,
  images         jsonb not null,
  models         jsonb not null,
  started_at     timestamptz not null,
  finished_at    timestamptz not null,
  recorded_by    text not null,
  recorded_at    timestamptz not null default now()
);
create index install_records_recorded_at on install_records (recorded_at desc);
`;
