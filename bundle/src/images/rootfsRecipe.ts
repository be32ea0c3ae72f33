/**
 * Turns a RootfsSpec into the exact mmdebstrap invocation. The recipe is plain data with two kinds
 * of placeholder so that its cache key does not depend on where the checkout or the cache lives:
 * `@images/<path>` (a file under images/, whose content is hashed into the key) and `@packagesOut`
 * (the host path receiving the package list).
 */
import { DEFAULT_MIRROR, DEFAULT_SECURITY_MIRROR, DEFAULT_SOURCE_DATE_EPOCH, DEBIAN_SUITE } from './imageSpecs.ts';
import type { RootfsSpec } from './types.ts';

export type HookStage = 'extract' | 'essential' | 'customize';

export interface HookStep {
  stage: HookStage;
  /** Placeholder arguments: `@images/<path>` and `@packagesOut`; the rootfs path comes first implicitly. */
  command: string[];
}

export interface RootfsRecipe {
  name: string;
  suite: string;
  variant: string;
  include: string[];
  /** Options passed as they are (before the hooks). */
  options: string[];
  hooks: HookStep[];
  /** Full apt source lines, in order. */
  sources: string[];
  sourceDateEpoch: number;
}

export interface Mirrors {
  mirror: string;
  securityMirror: string;
}

export const DEFAULT_MIRRORS: Mirrors = { mirror: DEFAULT_MIRROR, securityMirror: DEFAULT_SECURITY_MIRROR };

/**
 * Files under /usr/share that nothing in a container reads, left out at unpack time (dpkg
 * path-exclude). Copyright files stay: they are part of what the images redistribute.
 */
const DPKG_EXCLUDES = [
  '--dpkgopt=path-exclude=/usr/share/man/*',
  '--dpkgopt=path-exclude=/usr/share/info/*',
  '--dpkgopt=path-exclude=/usr/share/locale/*',
  '--dpkgopt=path-exclude=/usr/share/doc/*',
  '--dpkgopt=path-include=/usr/share/doc/*/copyright',
];

export function rootfsRecipe(spec: RootfsSpec, mirrors: Mirrors = DEFAULT_MIRRORS, sourceDateEpoch = DEFAULT_SOURCE_DATE_EPOCH): RootfsRecipe {
  const extract = spec.variant === 'extract';
  // In the extract variant only setup and extract hooks run (there is nothing to configure).
  const early: HookStage = extract ? 'extract' : 'essential';
  const last: HookStage = extract ? 'extract' : 'customize';
  const hooks: HookStep[] = [];
  for (const u of spec.users) {
    hooks.push({ stage: early, command: ['@images/rootfs/addSystemUser.sh', u.name, String(u.id), u.home, u.shell] });
  }
  for (const f of spec.preinstallFiles) {
    hooks.push({ stage: early, command: ['@images/rootfs/copyIn.sh', `@images/${f.source}`, f.target] });
  }
  if (extract) hooks.push({ stage: 'extract', command: ['@images/rootfs/finishExtracted.sh'] });
  hooks.push({ stage: last, command: ['@images/rootfs/finishRootfs.sh', '@packagesOut'] });
  return {
    name: spec.name,
    suite: DEBIAN_SUITE,
    variant: spec.variant,
    include: [...spec.include],
    // No /dev nodes in the tarball: docker provides /dev. The extract variant's apt leftovers are
    // removed by finishExtracted.sh, so mmdebstrap must not try to clean them too.
    options: ['--format=tar', '--skip=output/dev', ...(extract ? ['--skip=cleanup/apt,cleanup/mmdebstrap'] : DPKG_EXCLUDES)],
    hooks,
    sources: [
      `deb ${mirrors.mirror} ${DEBIAN_SUITE} main`,
      `deb ${mirrors.mirror} ${DEBIAN_SUITE}-updates main`,
      `deb ${mirrors.securityMirror} ${DEBIAN_SUITE}-security main`,
    ],
    sourceDateEpoch,
  };
}

/** Every `@images/<path>` file a recipe reads (hook scripts, preinstall files), relative to images/. */
export function recipeFiles(recipe: RootfsRecipe): string[] {
  const files = recipe.hooks.flatMap((h) => h.command.filter((a) => a.startsWith('@images/')).map((a) => a.slice('@images/'.length)));
  return [...new Set(files)].sort();
}

/** POSIX shell single-quoting: the hooks run under sh, and mmdebstrap passes the rootfs as $1. */
function shellQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

export interface RenderPaths {
  imagesDir: string;
  outTar: string;
  packagesOut: string;
}

/** The mmdebstrap argv for a recipe (stdin must be /dev/null: without sources it would read them from stdin). */
export function mmdebstrapArgs(recipe: RootfsRecipe, paths: RenderPaths): string[] {
  const resolve = (arg: string): string => {
    if (arg === '@packagesOut') return paths.packagesOut;
    if (arg.startsWith('@images/')) return `${paths.imagesDir}/${arg.slice('@images/'.length)}`;
    return arg;
  };
  const hookArgs = recipe.hooks.map((h) => {
    const [script, ...rest] = h.command.map(resolve);
    return `--${h.stage}-hook=${shellQuote(script ?? '')} "$1" ${rest.map(shellQuote).join(' ')}`.trimEnd();
  });
  return [
    `--variant=${recipe.variant}`,
    ...recipe.options,
    `--include=${recipe.include.join(',')}`,
    ...hookArgs,
    recipe.suite,
    paths.outTar,
    ...recipe.sources,
  ];
}
