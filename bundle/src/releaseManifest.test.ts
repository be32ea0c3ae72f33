import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileEntry, mergeManifest, readManifest, recordImages, writeManifest, type ReleaseManifest } from './releaseManifest.ts';

const sha = (c: string) => c.repeat(64);
const base: ReleaseManifest = {
  version: '0.1.0',
  revision: 'abc1234',
  node_version: 'v24.21.0',
  files: { porten: { sha256: sha('b'), size: 2 }, 'porten-hub': { sha256: sha('a'), size: 1 } },
  images: {},
};

describe('release manifest', () => {
  it('is written canonically (sorted names, 2-space JSON, newline) and read back', () => {
    const dist = mkdtempSync(join(tmpdir(), 'manifest-'));
    writeManifest(dist, { ...base, files: { 'porten-hub': base.files['porten-hub']!, porten: base.files.porten! } });
    const text = readFileSync(join(dist, 'release.json'), 'utf8');
    expect(text).toBe(`${JSON.stringify(base, null, 2)}\n`);
    expect(readManifest(dist)).toEqual(base);
  });

  it('recordImages adds and replaces images by name and keeps the rest', async () => {
    const dist = mkdtempSync(join(tmpdir(), 'manifest-'));
    writeManifest(dist, base);
    await recordImages(dist, { hub: { id: 'sha256:1', tag: 'porten/hub:0.1.0' }, agent: { id: 'sha256:2', tag: 'porten/agent:0.1.0' } });
    const after = await recordImages(dist, { hub: { id: 'sha256:3', tag: 'porten/hub:0.1.0' } });
    expect(after.images).toEqual({ hub: { id: 'sha256:3', tag: 'porten/hub:0.1.0' }, agent: { id: 'sha256:2', tag: 'porten/agent:0.1.0' } });
    expect(readManifest(dist)).toEqual({ ...base, images: after.images });
    expect(Object.keys(JSON.parse(readFileSync(join(dist, 'release.json'), 'utf8')).images)).toEqual(['agent', 'hub']);
    await expect(recordImages(dist, { hub: { id: '', tag: 'x' } })).rejects.toThrow('images.hub.id is not a non-empty string');
  });

  it('mergeManifest adds files and images without touching the others', () => {
    const merged = mergeManifest(base, { files: { extra: { sha256: sha('c'), size: 3 } } });
    expect(Object.keys(merged.files).sort()).toEqual(['extra', 'porten', 'porten-hub']);
    expect(base.files).not.toHaveProperty('extra');
  });

  it('reports every problem of an invalid manifest at once, and a missing one with what to run', () => {
    const dist = mkdtempSync(join(tmpdir(), 'manifest-'));
    expect(() => readManifest(dist)).toThrow(/cannot read the release manifest .*release.json .*run `npm run build`/);
    writeFileSync(join(dist, 'release.json'), JSON.stringify({ version: '0.1.0', files: { porten: { sha256: 'xyz', size: -1 } }, images: [] }));
    expect(() => readManifest(dist)).toThrow(
      'is invalid: revision is not a non-empty string; node_version is not a non-empty string; images is not an object; files.porten.sha256 is not 64 hex digits; files.porten.size is not a size',
    );
  });

  it('fileEntry is the sha256 and size of the bytes', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'manifest-')), 'f');
    writeFileSync(file, 'abc');
    expect(await fileEntry(file)).toEqual({ sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', size: 3 });
  });
});
