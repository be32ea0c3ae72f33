// Migration 1 as a module, so that it is part of the hub's bundle (see ./index.ts). Forward-only:
// never edit a released migration; add the next one.
export const sql = `-- Porten hub schema, version 1. Forward-only; later versions add files, never edit this one.

create table orgs (
  id          uuid primary key default gen_random_uuid(),
  name        text not null unique check (length(name) between 1 and 200),
  created_at  timestamptz not null default now()
);

-- Admin API tokens beyond the bootstrap token from configuration. Secrets are stored as sha256.
create table admin_tokens (
  id           uuid primary key default gen_random_uuid(),
  name         text not null,
  role         text not null check (role in ('admin', 'operator', 'auditor')),
  secret_hash  bytea not null unique,
  created_at   timestamptz not null default now(),
  revoked_at   timestamptz
);

-- API keys and their routing policy. The secret is shown once and stored as sha256
-- (the secret has 192 bits of entropy, so a slow hash adds nothing but latency).
create table api_keys (
  id           uuid primary key default gen_random_uuid(),
  org_id       uuid not null references orgs(id),
  name         text not null,
  prefix       text not null,
  secret_hash  bytea not null unique,
  fleet        text not null check (fleet in ('own', 'any')),
  regions      text[],
  min_trust    text check (min_trust in ('community', 'verified', 'trusted', 'confidential')),
  models       text[],
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  revoked_at   timestamptz
);
create index api_keys_org on api_keys(org_id);

-- Nodes exist once approved. Region and trust class are set by an operator only.
create table nodes (
  id               uuid primary key default gen_random_uuid(),
  org_id           uuid not null references orgs(id),
  name             text not null,
  region           text not null check (region ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
  trust_class      text not null check (trust_class in ('community', 'verified', 'trusted', 'confidential')),
  status           text not null default 'approved' check (status in ('approved', 'revoked')),
  credential_hash  bytea unique,
  inventory        jsonb not null default '{}'::jsonb,
  approved_by      text not null,
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  revoked_at       timestamptz
);
create index nodes_org on nodes(org_id);

-- Device-code style enrollment: the agent holds the poll secret, the operator sees the user code.
create table enrollments (
  id                uuid primary key default gen_random_uuid(),
  user_code         text not null unique,
  poll_secret_hash  bytea not null unique,
  name              text not null,
  inventory         jsonb not null default '{}'::jsonb,
  status            text not null default 'pending' check (status in ('pending', 'approved', 'denied', 'completed')),
  node_id           uuid references nodes(id),
  decided_by        text,
  created_at        timestamptz not null default now(),
  expires_at        timestamptz not null,
  decided_at        timestamptz
);
create index enrollments_status on enrollments(status);

-- The model catalog: what the site offers (not what is loaded).
create table models (
  id              text primary key check (id ~ '^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$'),
  format          text not null default 'gguf' check (format in ('gguf', 'external')),
  sha256          text check (sha256 ~ '^[0-9a-f]{64}$'),
  size_bytes      bigint check (size_bytes >= 0),
  context_length  integer not null default 4096 check (context_length > 0),
  capabilities    text[] not null default '{chat}',
  memory_mb       integer not null default 0 check (memory_mb >= 0),
  enabled         boolean not null default true,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now()
);

-- Hash-chained audit log (hub/src/audit, docs/audit.md). Append-only: rows are written only by
-- AuditLog.append, in seq order, together with the head, under the head's row lock.
-- hash = sha256hex(prev_hash || '\\n' || canonical JSON of every column but prev_hash and hash);
-- \`at\` is assigned by the hub (millisecond precision) so that verification recomputes it exactly.
-- No prompt or completion content is ever stored here.
create table audit_records (
  seq                bigint primary key check (seq > 0),
  at                 timestamptz not null,
  event              text not null check (event in ('route', 'complete', 'refuse')),
  request_id         text,
  key_id             uuid,
  org_id             uuid,
  model              text,
  node_id            uuid,
  node_region        text,
  node_org_id        uuid,
  node_trust         text,
  policy             jsonb,
  outcome            text not null,
  error_code         text,
  prompt_tokens      integer,
  completion_tokens  integer,
  timings            jsonb,
  detail             jsonb,
  prev_hash          text not null check (prev_hash ~ '^[0-9a-f]{64}$'),
  hash               text not null check (hash ~ '^[0-9a-f]{64}$')
);
-- Filters are answered in seq order with a keyset cursor, hence (column, seq).
create index audit_records_at on audit_records(at);
create index audit_records_key on audit_records(key_id, seq);
create index audit_records_node on audit_records(node_id, seq);
create index audit_records_org on audit_records(org_id, seq);

-- The chain head: serialises appends across hub replicas and lets verify detect a removed tail.
create table audit_head (
  id    integer primary key check (id = 1),
  seq   bigint not null check (seq >= 0),
  hash  text not null check (hash ~ '^[0-9a-f]{64}$')
);
insert into audit_head (id, seq, hash) values (1, 0, repeat('0', 64));

-- Defence in depth, not the proof (the hash chain is): ordinary statements cannot change or remove
-- audit rows, so tampering takes a deliberate \`alter table ... disable trigger\`, which the chain
-- then exposes. A superuser can do anything; see docs/audit.md on keeping the head hash outside.
create function audit_refuse_change() returns trigger language plpgsql as $$
begin
  raise exception 'audit records are append-only: % on % refused', tg_op, tg_table_name
    using errcode = 'insufficient_privilege';
end $$;
create trigger audit_records_append_only before update or delete on audit_records
  for each row execute function audit_refuse_change();
create trigger audit_records_no_truncate before truncate on audit_records
  for each statement execute function audit_refuse_change();
create trigger audit_head_keep before delete on audit_head
  for each row execute function audit_refuse_change();
create trigger audit_head_no_truncate before truncate on audit_head
  for each statement execute function audit_refuse_change();
`;
