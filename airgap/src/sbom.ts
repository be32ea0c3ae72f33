import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { productionClosure } from '@porten/bundle/packageClosure';
import { AirgapError } from './airgapError.ts';

/**
 * The bundle's CycloneDX 1.5 SBOM: every npm package the executables are built from (the production
 * dependency closure of each workspace an executable is made of) and every Debian package of every
 * image (the package lists the images build records, `<release>/images/<name>.packages.tsv`). Its
 * bytes depend only on those inputs and the bundle's creation time.
 */
export interface SbomInput {
  version: string;
  created: string;
  /** The repository (its node_modules and workspace package.json files). */
  repoRoot: string;
  /** Executable name → workspaces it is built from. */
  executables: Record<string, string[]>;
  /** Image name → its package list (name TAB version TAB arch per line). */
  imagePackageLists: Record<string, string>;
}

interface Component {
  type: 'library';
  'bom-ref': string;
  name: string;
  version: string;
  purl: string;
  licenses?: { license: { id: string } | { name: string } }[];
  properties: { name: string; value: string }[];
}

export function buildSbom(input: SbomInput): Buffer {
  const byRef = new Map<string, { c: Component; users: Set<string>; prop: string }>();
  const add = (c: Component, prop: string, user: string) => {
    const known = byRef.get(c['bom-ref']) ?? { c, users: new Set<string>(), prop };
    known.users.add(user);
    byRef.set(c['bom-ref'], known);
  };
  for (const [exe, workspaces] of Object.entries(input.executables)) {
    for (const c of npmComponents(input.repoRoot, workspaces)) add(c, 'porten:executable', exe);
  }
  for (const [image, list] of Object.entries(input.imagePackageLists)) {
    if (!existsSync(list)) throw new AirgapError('release_invalid', `the package list of image ${image} (${list}) is missing; run \`npm run build:images\` to record it`);
    for (const c of debComponents(readFileSync(list, 'utf8'))) add(c, 'porten:image', image);
  }
  const components = [...byRef.values()]
    .map(({ c, users, prop }) => ({ ...c, properties: [...users].sort().map((value) => ({ name: prop, value })) }))
    .sort((a, b) => (a['bom-ref'] < b['bom-ref'] ? -1 : a['bom-ref'] > b['bom-ref'] ? 1 : 0));
  const body = {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: '',
    version: 1,
    metadata: {
      timestamp: input.created,
      tools: { components: [{ type: 'application', name: 'portenctl', version: input.version }] },
      component: { type: 'application', 'bom-ref': 'porten-self-host', name: 'porten-self-host', version: input.version },
    },
    components,
  };
  body.serialNumber = `urn:uuid:${uuidFrom(JSON.stringify(body))}`;
  return Buffer.from(`${JSON.stringify(body, null, 2)}\n`);
}

/** Counts for `inspect`: components by package type. */
export function sbomSummary(bytes: Buffer): { npm: number; deb: number; total: number } {
  const sbom = JSON.parse(bytes.toString('utf8')) as { components?: { purl?: string }[] };
  const purls = (sbom.components ?? []).map((c) => c.purl ?? '');
  return { npm: purls.filter((p) => p.startsWith('pkg:npm/')).length, deb: purls.filter((p) => p.startsWith('pkg:deb/')).length, total: purls.length };
}

function npmComponents(root: string, workspaces: string[]): Component[] {
  const roots = new Set<string>();
  for (const ws of workspaces) {
    const pkg = JSON.parse(readFileSync(join(root, ws, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const name of Object.keys(pkg.dependencies ?? {})) if (!name.startsWith('@porten/')) roots.add(name);
  }
  return productionClosure(root, [...roots].sort()).map((dir) => {
    const pkg = JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as { name: string; version: string; license?: unknown };
    const purl = `pkg:npm/${pkg.name.startsWith('@') ? `%40${pkg.name.slice(1)}` : pkg.name}@${pkg.version}`;
    const license = typeof pkg.license === 'string' ? [{ license: /^[A-Za-z0-9.+-]+$/.test(pkg.license) ? { id: pkg.license } : { name: pkg.license } }] : undefined;
    return { type: 'library', 'bom-ref': purl, name: pkg.name, version: pkg.version, purl, ...(license ? { licenses: license } : {}), properties: [] };
  });
}

function debComponents(tsv: string): Component[] {
  return tsv
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((line) => {
      const [name, version, arch] = line.split('\t');
      const purl = `pkg:deb/debian/${name}@${encodeURIComponent(version ?? '')}?arch=${arch ?? 'all'}&distro=debian-12`;
      return { type: 'library', 'bom-ref': purl, name: name!, version: version ?? '', purl, properties: [] };
    });
}

function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
