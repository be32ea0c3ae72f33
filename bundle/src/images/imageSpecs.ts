/**
 * What every image is made of — the one place to read or change an image's package set, users and
 * inputs from dist/. The Dockerfile layer of image X lives in images/X/ (entrypoint, user,
 * healthcheck); the rootfs hooks in images/rootfs/.
 *
 * Fixed ids (compose files and volume ownership depend on them):
 * - porten 10001 (hub, agent): outside Debian's system range, owned by no package.
 * - postgres / redis / prometheus 999 in their own images: inside the system range, because the
 *   packages' maintainer scripts run `adduser --system`, which accepts an existing *system* user
 *   and keeps its id (a user ≥ 1000 makes it fail).
 */
import type { ImageSpec, RootfsSpec } from './types.ts';
import { BundleError } from '../bundleError.ts';

export const PORTEN_UID = 10001;
export const SERVICE_UID = 999;

export const DEBIAN_SUITE = 'bookworm';
/** The Debian archive and security archive; a site with its own mirror passes --mirror/--security-mirror. */
export const DEFAULT_MIRROR = 'http://deb.debian.org/debian';
export const DEFAULT_SECURITY_MIRROR = 'http://deb.debian.org/debian-security';
/**
 * mmdebstrap's SOURCE_DATE_EPOCH (file times in the rootfs, removal of non-reproducible files):
 * a constant, 2025-01-01T00:00:00Z, so that the same mirror content gives the same rootfs and the
 * cache key does not change with every commit.
 */
export const DEFAULT_SOURCE_DATE_EPOCH = 1735689600;

const NOLOGIN = '/usr/sbin/nologin';

export const ROOTFS_SPECS: readonly RootfsSpec[] = [
  {
    // Only what the Node SEA executables and node-llama-cpp's CPU binaries load (ldd: libc, libm,
    // libdl, libpthread, libstdc++, libgcc_s), plus base-files (/etc/os-release for SBOM scanners;
    // it drags in mawk, which cannot start a shell because there is none) and netbase
    // (/etc/services, /etc/protocols).
    name: 'runtime',
    variant: 'extract',
    include: ['libc6', 'libstdc++6', 'libgcc-s1', 'base-files', 'netbase'],
    users: [{ name: 'porten', id: PORTEN_UID, home: '/var/lib/porten', shell: NOLOGIN }],
    preinstallFiles: [],
    expectedSeconds: 10,
  },
  {
    name: 'postgres',
    variant: 'minbase',
    include: ['postgresql-15'],
    users: [{ name: 'postgres', id: SERVICE_UID, home: '/var/lib/postgresql', shell: '/bin/bash' }],
    // postgresql-common would otherwise create and start a "main" cluster at install time; the
    // entrypoint runs initdb into the data volume on first start instead.
    preinstallFiles: [{ source: 'postgres/createcluster.conf', target: '/etc/postgresql-common/createcluster.d/porten.conf' }],
    expectedSeconds: 60,
  },
  {
    name: 'redis',
    variant: 'minbase',
    include: ['redis-server'],
    users: [{ name: 'redis', id: SERVICE_UID, home: '/var/lib/redis', shell: NOLOGIN }],
    preinstallFiles: [],
    expectedSeconds: 45,
  },
  {
    name: 'prometheus',
    variant: 'minbase',
    include: ['prometheus'],
    users: [{ name: 'prometheus', id: SERVICE_UID, home: '/var/lib/prometheus', shell: NOLOGIN }],
    preinstallFiles: [],
    expectedSeconds: 50,
  },
  {
    name: 'nodehost',
    variant: 'minbase',
    include: ['ca-certificates', 'curl'],
    users: [],
    preinstallFiles: [],
    expectedSeconds: 45,
  },
];

export const IMAGE_SPECS: readonly ImageSpec[] = [
  {
    name: 'hub',
    rootfs: 'runtime',
    summary: 'porten-hub executable, plus the agent release it serves to nodes (install.sh)',
    distInputs: [
      { from: 'porten-hub', to: 'porten-hub' },
      { from: 'porten', to: 'release/porten' },
      { from: 'porten-payload.tar.gz', to: 'release/porten-payload.tar.gz' },
      { from: 'release.json', to: 'release/release.json', transform: 'json-without-images' },
    ],
    release: true,
  },
  {
    name: 'agent',
    rootfs: 'runtime',
    summary: 'porten node agent with the llama.cpp CPU payload',
    distInputs: [
      { from: 'porten', to: 'porten' },
      { from: 'porten-payload', to: 'porten-payload' },
    ],
    release: true,
  },
  { name: 'postgres', rootfs: 'postgres', summary: 'PostgreSQL 15 (Debian postgresql-15)', distInputs: [], release: true },
  { name: 'redis', rootfs: 'redis', summary: 'Redis 7 (Debian redis-server)', distInputs: [], release: true },
  { name: 'prometheus', rootfs: 'prometheus', summary: 'Prometheus (Debian prometheus)', distInputs: [], release: true },
  {
    name: 'nodehost-test',
    rootfs: 'nodehost',
    summary: 'TEST ONLY: a clean Debian machine with curl and no Node.js, for the install.sh tests',
    distInputs: [],
    release: false,
  },
];

export function rootfsSpec(name: string): RootfsSpec {
  const spec = ROOTFS_SPECS.find((s) => s.name === name);
  if (!spec) throw new BundleError('internal', `no rootfs named ${name}: this is a bug in bundle/src/images/imageSpecs.ts`);
  return spec;
}

export function imageRepository(name: string): string {
  return `porten/${name}`;
}
