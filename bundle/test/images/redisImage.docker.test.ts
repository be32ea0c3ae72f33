/**
 * porten/redis: requires the password from REDIS_PASSWORD (NOAUTH without it, WRONGPASS with a
 * wrong one) from another container on a user-defined network, keeps data across a restart (AOF in
 * /data), turns healthy, runs as redis (999).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_UID } from '../../src/images/imageSpecs.ts';
import { BUILD_HOOK_TIMEOUT_MS, docker, dockerOk, DockerScratch, ensureImages, waitHealthy } from './dockerTestKit.ts';

const PASSWORD = 'redis "pass" \\ word';
let image: string;
let network: string;
let server: string;
const scratch = new DockerScratch();

/** redis-cli in a throw-away container on the test network; password through REDISCLI_AUTH when given. */
function cli(password: string | null, ...command: string[]) {
  const auth = password === null ? [] : ['-e', `REDISCLI_AUTH=${password}`];
  return docker(['run', '--rm', '--network', network, ...auth, image, 'redis-cli', '--no-auth-warning', '-h', server, ...command]);
}

beforeAll(async () => {
  image = (await ensureImages(['redis'])).redis!.tag;
  network = await scratch.network();
  server = await scratch.start(['--network', network, '-e', `REDIS_PASSWORD=${PASSWORD}`, image], 'redis');
  await waitHealthy(server, 60_000);
}, BUILD_HOOK_TIMEOUT_MS);

afterAll(() => scratch.cleanup());

describe('porten/redis', () => {
  it('refuses a client without the password: NOAUTH', async () => {
    const res = await cli(null, 'ping');
    expect(res.stdout.trim()).toBe('NOAUTH Authentication required.');
  });

  it('refuses a wrong password: WRONGPASS', async () => {
    const res = await cli('wrong', 'ping');
    expect(res.stderr.trim()).toBe('AUTH failed: WRONGPASS invalid username-password pair or user is disabled.');
    expect(res.stdout.trim()).toBe('NOAUTH Authentication required.');
  });

  it('serves a client with the password, and keeps data across a restart (AOF in /data)', async () => {
    expect((await cli(PASSWORD, 'ping')).stdout.trim()).toBe('PONG');
    expect((await cli(PASSWORD, 'set', 'porten:test', 'kept')).stdout.trim()).toBe('OK');
    expect((await cli(PASSWORD, 'config', 'get', 'appendonly')).stdout.trim()).toBe('appendonly\nyes');
    await dockerOk(['restart', server]);
    await waitHealthy(server, 60_000);
    expect((await cli(PASSWORD, 'get', 'porten:test')).stdout.trim()).toBe('kept');
  });

  it('runs as redis (999), not root', async () => {
    expect(await dockerOk(['exec', server, 'sh', '-c', 'grep ^Uid /proc/1/status'])).toMatch(new RegExp(`^Uid:\\s+${SERVICE_UID}\\s`));
  });

  it('refuses to start without a password, saying which variable to set', async () => {
    const res = await docker(['run', '--rm', '--network', 'none', image]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('porten-redis: no password: set REDIS_PASSWORD or REDIS_PASSWORD_FILE');
  });
});
