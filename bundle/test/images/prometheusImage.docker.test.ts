/**
 * porten/prometheus: serves with Debian's configuration until compose mounts its own, stores its
 * data in /prometheus, and the healthcheck command (promtool, no curl in the image) succeeds once
 * the server is up; runs as prometheus (999).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVICE_UID } from '../../src/images/imageSpecs.ts';
import { BUILD_HOOK_TIMEOUT_MS, docker, dockerOk, DockerScratch, ensureImages } from './dockerTestKit.ts';

let image: string;
let server: string;
const scratch = new DockerScratch();

beforeAll(async () => {
  image = (await ensureImages(['prometheus'])).prometheus!.tag;
  server = await scratch.start(['--network', 'none', image], 'prom');
}, BUILD_HOOK_TIMEOUT_MS);

afterAll(() => scratch.cleanup());

describe('porten/prometheus', () => {
  it('the image healthcheck command succeeds once the server is up', async () => {
    const healthcheck = JSON.parse(await dockerOk(['image', 'inspect', '--format', '{{json .Config.Healthcheck.Test}}', image])) as string[];
    expect(healthcheck).toEqual(['CMD', 'promtool', 'query', 'instant', 'http://127.0.0.1:9090', 'vector(1)']);
    const deadline = Date.now() + 60_000;
    let last = await docker(['exec', server, ...healthcheck.slice(1)]);
    while (last.code !== 0 && Date.now() < deadline) {
      await sleep(1000);
      last = await docker(['exec', server, ...healthcheck.slice(1)]);
    }
    expect(last.code).toBe(0);
    expect(last.stdout).toContain('=> 1 @');
  });

  it('stores its data in /prometheus, running as prometheus (999)', async () => {
    expect(await dockerOk(['exec', server, 'sh', '-c', 'grep ^Uid /proc/1/status'])).toMatch(new RegExp(`^Uid:\\s+${SERVICE_UID}\\s`));
    expect((await dockerOk(['exec', server, 'ls', '/prometheus'])).split('\n')).toContain('wal');
    expect(await dockerOk(['exec', server, 'promtool', 'check', 'config', '/etc/prometheus/prometheus.yml'])).toContain('SUCCESS');
  });
});
