/**
 * porten/postgres: initialises its volume on first start with the password from
 * POSTGRES_PASSWORD_FILE, then accepts that password from another container on a user-defined
 * network and refuses a wrong one; the healthcheck turns healthy; it runs as postgres (999).
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_UID } from '../../src/images/imageSpecs.ts';
import { BUILD_HOOK_TIMEOUT_MS, docker, dockerOk, DockerScratch, ensureImages, waitHealthy } from './dockerTestKit.ts';

const PASSWORD = 'pg "test" pass $word';
let image: string;
let network: string;
let server: string;
const scratch = new DockerScratch();

/** psql in a throw-away container on the test network, as a client machine would connect. */
function psql(user: string, password: string, sql: string) {
  return docker(['run', '--rm', '--network', network, '-e', `PGPASSWORD=${password}`, image, 'psql', '-h', server, '-U', user, '-d', 'porten', '-XAtc', sql]);
}

beforeAll(async () => {
  image = (await ensureImages(['postgres'])).postgres!.tag;
  network = await scratch.network();
  const secrets = scratch.tempDir();
  writeFileSync(join(secrets, 'pg-password'), `${PASSWORD}\n`);
  chmodSync(join(secrets, 'pg-password'), 0o644);
  server = await scratch.start(['--network', network, '-e', 'POSTGRES_PASSWORD_FILE=/run/secrets/pg-password', '-v', `${secrets}/pg-password:/run/secrets/pg-password:ro`, image], 'pg');
  await waitHealthy(server, 120_000);
}, BUILD_HOOK_TIMEOUT_MS);

afterAll(() => scratch.cleanup());

describe('porten/postgres', () => {
  it('accepts the password from POSTGRES_PASSWORD_FILE over the network for user and database porten', async () => {
    const res = await psql('porten', PASSWORD, "select current_user || ' ' || current_database() || ' ' || current_setting('server_version_num')::int / 10000");
    expect(res.stderr).toBe('');
    expect(res.stdout.trim()).toBe('porten porten 15');
  });

  it('refuses a wrong password with PostgreSQL\'s authentication error', async () => {
    const res = await psql('porten', 'wrong', 'select 1');
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('FATAL:  password authentication failed for user "porten"');
  });

  it('refuses the passwordless superuser from the network', async () => {
    const res = await psql('postgres', 'anything', 'select 1');
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('FATAL:  password authentication failed for user "postgres"');
  });

  it('the role owns its database (migrations can create tables), its password stored as SCRAM', async () => {
    expect((await psql('porten', PASSWORD, 'create table t(x int)')).stderr).toBe('');
    expect((await psql('porten', PASSWORD, "select tableowner from pg_tables where tablename = 't'")).stdout.trim()).toBe('porten');
    // As the local superuser over the socket (peer auth), as an operator with docker exec would.
    const scram = await dockerOk(['exec', server, 'psql', '-XAtc', "select rolpassword like 'SCRAM-SHA-256$%' from pg_authid where rolname = 'porten'"]);
    expect(scram).toBe('t');
    // Every network rule asks for a SCRAM password; any address may try.
    const hba = (await dockerOk(['exec', server, 'psql', '-XAtc', "select distinct address || ' ' || auth_method from pg_hba_file_rules where type = 'host'"])).split('\n').sort();
    expect(hba).toEqual(['0.0.0.0 scram-sha-256', '127.0.0.1 scram-sha-256', ':: scram-sha-256', '::1 scram-sha-256']);
  });

  it('runs as postgres (999), not root', async () => {
    expect(await dockerOk(['exec', server, 'id', '-u'])).toBe(String(SERVICE_UID));
    expect(await dockerOk(['exec', server, 'sh', '-c', 'grep ^Uid /proc/1/status'])).toMatch(new RegExp(`^Uid:\\s+${SERVICE_UID}\\s`));
  });

  it('refuses a first start without a password, saying which variable to set', async () => {
    const res = await docker(['run', '--rm', '--network', 'none', image]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('porten-postgres: no password: set POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE for the first start');
  });
});
