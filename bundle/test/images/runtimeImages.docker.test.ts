/**
 * porten/hub and porten/agent: the single executables run in an image that has no Node.js, no
 * node_modules (hub), no shell and no package manager, as a non-root user; every native library
 * the agent's llama.cpp payload loads is present.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIST_DIR } from '../../src/layout.ts';
import { PORTEN_UID } from '../../src/images/imageSpecs.ts';
import type { ImageResult } from '../../src/images/types.ts';
import { BUILD_HOOK_TIMEOUT_MS, docker, DockerScratch, ensureImages, imageEntries, readImageFile, type ImageEntry } from './dockerTestKit.ts';

let images: Record<string, ImageResult>;
const scratch = new DockerScratch();
const entries: Record<string, ImageEntry[]> = {};
const files: Record<string, string[]> = {};

/** Executables that would make the image a general-purpose machine (or a Node install). */
const FORBIDDEN = /\/(node|nodejs|npm|npx|sh|bash|dash|busybox|apt|apt-get|dpkg|perl|python3?)$/;

beforeAll(async () => {
  images = await ensureImages(['hub', 'agent']);
  for (const name of ['hub', 'agent']) {
    entries[name] = await imageEntries(scratch, images[name]!.tag);
    files[name] = entries[name].map((e) => e.path);
  }
}, BUILD_HOOK_TIMEOUT_MS);

afterAll(() => scratch.cleanup());

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

describe.each(['hub', 'agent'])('porten/%s', (name) => {
  const binary = name === 'hub' ? 'porten-hub' : 'porten';

  it('holds no Node.js, no shell and no package manager anywhere in its filesystem', () => {
    expect(files[name]!.filter((p) => /^\/(etc|var\/lib|var\/cache)\/apt\b/.test(p))).toEqual([]);
    const found = entries[name]!.filter((e) => !e.mode.startsWith('d') && FORBIDDEN.test(e.path)).map((e) => e.path);
    expect(found).toEqual([]);
    expect(files[name]).toContain(`/opt/porten/${binary}`);
  });

  it(`runs ${binary} --version with node absent from the container`, async () => {
    const noNode = await docker(['run', '--rm', '--network', 'none', '--entrypoint', 'node', images[name]!.tag, '--version']);
    expect(noNode.code).not.toBe(0);
    expect(noNode.stderr).toMatch(/"node": executable file not found in \$PATH/);
    const res = await docker(['run', '--rm', '--network', 'none', images[name]!.tag, '--version']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`^${binary} \\d+\\.\\d+\\.\\d+`));
  });

  it('runs as the non-root user porten (10001)', async () => {
    const inspect = JSON.parse((await docker(['image', 'inspect', images[name]!.tag])).stdout) as { Config: { User: string } }[];
    expect(inspect[0]!.Config.User).toBe(`${PORTEN_UID}:${PORTEN_UID}`);
    const passwd = await readImageFile(scratch, images[name]!.tag, '/etc/passwd');
    expect(passwd).toContain(`porten:x:${PORTEN_UID}:${PORTEN_UID}:porten:/var/lib/porten:/usr/sbin/nologin`);
  });
});

describe('porten/hub', () => {
  it('has no node_modules: the executable is self-contained', () => {
    expect(files.hub!.filter((p) => p.includes('node_modules'))).toEqual([]);
  });

  it('carries the agent release it serves to nodes, matching the release manifest of dist/', async () => {
    const manifest = JSON.parse(readFileSync(join(DIST_DIR, 'release.json'), 'utf8')) as { files: Record<string, { sha256: string }> };
    const inImage = JSON.parse(await readImageFile(scratch, images.hub!.tag, '/opt/porten/release/release.json')) as { files: Record<string, { sha256: string }>; images: object };
    expect(inImage.files).toEqual(manifest.files);
    expect(inImage.images).toEqual({});
    for (const file of ['porten', 'porten-payload.tar.gz']) {
      expect(files.hub).toContain(`/opt/porten/release/${file}`);
      expect(inImage.files[file]?.sha256).toBe(sha256(join(DIST_DIR, file)));
    }
    const env = JSON.parse((await docker(['image', 'inspect', '--format', '{{json .Config.Env}}', images.hub!.tag])).stdout) as string[];
    expect(env).toContain('HUB_RELEASE_DIR=/opt/porten/release');
  });

  it('the model blob folder (a volume in compose) belongs to porten, so a new volume starts writable by the hub', async () => {
    expect(entries.hub!.find((e) => e.path === '/var/lib/porten/blobs')?.owner).toBe(`${PORTEN_UID}/${PORTEN_UID}`);
    const volumes = JSON.parse((await docker(['image', 'inspect', '--format', '{{json .Config.Volumes}}', images.hub!.tag])).stdout) as Record<string, object>;
    expect(Object.keys(volumes)).toEqual(['/var/lib/porten/blobs']);
  });
});

describe('porten/agent', () => {
  it('every native file of the llama.cpp payload finds all its libraries in the image', async () => {
    const natives = files.agent!.filter((p) => p.startsWith('/opt/porten/porten-payload/') && /\.(node|so)$/.test(p));
    expect(natives.some((p) => p.endsWith('/llama-addon.node'))).toBe(true);
    // The libggml-cpu-<microarchitecture>.so variants are one source built with different CPU flags
    // (same needed libraries); the generic x64 one stands for them, to keep to a few containers.
    const checked = natives.filter((p) => !/\/libggml-cpu-/.test(p) || p.endsWith('/libggml-cpu-x64.so'));
    expect(checked.length).toBeGreaterThanOrEqual(5);
    const unresolved = (
      await Promise.all(
        checked.map(async (file) => {
          // The dynamic loader lists what a file needs and where it found it ("not found" otherwise).
          const res = await docker(['run', '--rm', '--network', 'none', '--entrypoint', '/lib64/ld-linux-x86-64.so.2', images.agent!.tag, '--list', file]);
          return res.code !== 0 || res.stdout.includes('not found') ? [`${file}: ${res.stdout}${res.stderr}`] : [];
        }),
      )
    ).flat();
    expect(unresolved).toEqual([]);
  }, 120_000);

  it('keeps its state in the /var/lib/porten volume (PORTEN_HOME), a folder owned by porten', async () => {
    expect(entries.agent!.find((e) => e.path === '/var/lib/porten')?.owner).toBe(`${PORTEN_UID}/${PORTEN_UID}`);
    const inspect = JSON.parse((await docker(['image', 'inspect', images.agent!.tag])).stdout) as { Config: { Env: string[]; Volumes: Record<string, object> } }[];
    expect(inspect[0]!.Config.Env).toContain('PORTEN_HOME=/var/lib/porten');
    expect(Object.keys(inspect[0]!.Config.Volumes)).toEqual(['/var/lib/porten']);
  });
});
