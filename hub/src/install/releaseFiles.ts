import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { HubError } from '../errors/index.ts';

/** The agent files a node installs, in the order install.sh fetches them. */
export const AGENT_FILES = ['porten', 'porten-payload.tar.gz'] as const;
export type AgentFile = (typeof AGENT_FILES)[number];

export interface AgentRelease {
  version: string;
  /** `sha256sum -c` input: one `<hex>  <name>` line per agent file. */
  sha256sums: string;
  path(file: AgentFile): string;
}

/**
 * Reads the release the hub hands to nodes from HUB_RELEASE_DIR: release.json (written by
 * `npm run build`, see bundle/) names each file's sha256; the files sit beside it. The checksums
 * come from the manifest, never from hashing the files here: a file damaged or replaced on the
 * hub then fails the node's check instead of being vouched for.
 */
export async function readAgentRelease(releaseDir: string | undefined): Promise<AgentRelease> {
  if (releaseDir === undefined) {
    throw new HubError('not_found', 'this hub serves no agent release: HUB_RELEASE_DIR is not set (the porten/hub image sets it to /opt/porten/release)');
  }
  const manifestPath = join(releaseDir, 'release.json');
  let manifest: { version?: unknown; files?: Record<string, { sha256?: unknown }> };
  try {
    manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch (err) {
    throw new HubError('not_found', `this hub has no readable agent release manifest at ${manifestPath} (${(err as Error).message}); check HUB_RELEASE_DIR`);
  }
  const lines: string[] = [];
  for (const file of AGENT_FILES) {
    const sha256 = manifest.files?.[file]?.sha256;
    if (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sha256)) {
      throw new HubError('not_found', `the release manifest ${manifestPath} lists no sha256 for ${file}; rebuild the release (npm run build)`);
    }
    await stat(join(releaseDir, file)).catch(() => {
      throw new HubError('not_found', `the release file ${join(releaseDir, file)} is missing; rebuild the release or fix HUB_RELEASE_DIR`);
    });
    lines.push(`${sha256}  ${file}`);
  }
  return {
    version: typeof manifest.version === 'string' ? manifest.version : 'unknown',
    sha256sums: `${lines.join('\n')}\n`,
    path: (file) => join(releaseDir, file),
  };
}
