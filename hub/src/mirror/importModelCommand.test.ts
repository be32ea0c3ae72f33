import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/support/fixtures.ts';
import { startTestHub, type TestHub } from '../../test/support/testHub.ts';
import { client, type Client } from '../../test/support/adminTestClient.ts';
import type { HubEvent } from '../events/index.ts';
import { blobFiles, fakeGguf } from '../../test/support/mirrorTestSupport.ts';

const MAIN = join(import.meta.dirname, '..', 'main.ts');

/** Runs `porten-hub <args>` as an operator would, in its own process. */
function porten(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('porten-hub import-model (the offline import, against the database and blob directory of a running hub)', () => {
  let hub: TestHub;
  let api: Client;
  let blobDir: string;
  let work: string;
  let env: Record<string, string>;
  const events: HubEvent[] = [];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'import-model-'));
    blobDir = join(work, 'blobs');
    hub = await startTestHub({ HUB_BLOB_DIR: blobDir });
    api = client(hub.url, hub.adminToken);
    hub.hub.deps.events.on((e) => events.push(e));
    env = { HUB_DATABASE_URL: hub.databaseUrl, HUB_REDIS_URL: hub.config.redisUrl, HUB_REDIS_KEY_PREFIX: hub.config.redisKeyPrefix, HUB_BLOB_DIR: blobDir };
  });
  afterAll(async () => {
    await hub?.close();
  });

  it('imports a file into the mirror and the catalog; the running hub hears catalog_changed', async () => {
    const f = fakeGguf(80_000);
    const file = join(work, 'tiny.gguf');
    writeFileSync(file, f.bytes);
    const r = await porten(['import-model', file, '--id', 'site/tiny', '--capabilities', 'chat,completions', '--context-length', '2048', '--memory-mb', '512', '--sha256', f.sha256], env);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^porten-hub: imported site/tiny: sha256 ${f.sha256}, 80000 bytes \\(stored in the mirror .*\\); catalog entry created\\n$`));
    expect(readFileSync(join(blobDir, `sha256-${f.sha256}`)).equals(f.bytes)).toBe(true);
    const entry = await api.get(`/models/${encodeURIComponent('site/tiny')}`);
    expect(entry.body).toMatchObject({ format: 'gguf', sha256: f.sha256, size_bytes: 80_000, context_length: 2048, capabilities: ['chat', 'completions'], memory_mb: 512, enabled: true });
    await waitFor(() => events.some((e) => e.type === 'catalog_changed'), 'catalog_changed from the CLI');

    const again = await porten(['import-model', file, '--id', 'site/tiny'], env);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('(already in the mirror');
    expect(again.stdout).toContain('catalog entry updated');
    expect((await api.get(`/models/${encodeURIComponent('site/tiny')}`)).body).toMatchObject({ context_length: 2048, memory_mb: 512 });
  });

  it('bad usage: one line naming the flag, exit 2, before any configuration is needed', async () => {
    const cases: [string[], RegExp][] = [
      [['import-model'], /name the GGUF file to import/],
      [['import-model', 'x.gguf'], /--id is required/],
      [['import-model', 'x.gguf', '--id', 'x', '--colour', 'red'], /Unknown option '--colour'/],
      [['import-model', 'x.gguf', '--id', 'x', '--context-length', 'big'], /^porten-hub import-model: --context-length: context_length must be a whole number/],
      [['import-model', 'x.gguf', '--id', 'x', '--capabilities', 'chat,sing'], /--capabilities: capabilities\[1\] must be one of/],
      [['import-model', 'x.gguf', '--id', 'bad id'], /--id: id "bad id" is not valid/],
    ];
    const runs = await Promise.all(cases.map(([args]) => porten(args, {})));
    for (const [i, [args, message]] of cases.entries()) {
      const r = runs[i]!;
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('a file that is not GGUF, a missing file, or a wrong --sha256: one line, exit 1, nothing stored', async () => {
    const before = blobFiles(blobDir);
    const notGguf = join(work, 'notes.txt');
    writeFileSync(notGguf, 'these are not the weights you are looking for\n'.repeat(10));
    const cases: [string[], RegExp][] = [
      [[notGguf], /^porten-hub: not a GGUF model file: it starts with "thes"/],
      [[join(work, 'missing.gguf')], /^porten-hub: cannot read .*missing\.gguf: no such file/],
      [[join(work, 'tiny.gguf'), '--sha256', 'f'.repeat(64)], /^porten-hub: the data has sha256 [0-9a-f]{64}, not the expected f{64}; nothing was stored/],
    ];
    const runs = await Promise.all(cases.map(([args]) => porten(['import-model', ...args, '--id', 'never'], env)));
    for (const [i, [args, message]] of cases.entries()) {
      const r = runs[i]!;
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(blobFiles(blobDir)).toEqual(before);
    expect((await api.get('/models/never')).status).toBe(404);
  });
});
