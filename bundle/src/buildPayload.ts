import { cpSync, mkdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { PAYLOAD_OMITTED_FILES, PAYLOAD_OMITTED_SUFFIXES, PAYLOAD_PACKAGES } from '@porten/agent/engines/builtin/nativePayload';
import { productionClosure } from './packageClosure.ts';

/**
 * Lays out the agent's native payload in `outDir` (agent/src/engines/builtin/nativePayload.ts is
 * its contract): `node_modules/<path>` for each package of the closure of PAYLOAD_PACKAGES, at the
 * same relative place as in the repository's node_modules, so Node resolves them the same way.
 * Each package is copied without its own node_modules (nested packages of the closure are copied
 * as packages of their own; anything else there is not needed) and without PAYLOAD_OMITTED_FILES
 * and files ending in PAYLOAD_OMITTED_SUFFIXES.
 * Only the CPU linux-x64 build is there to copy: the GPU packages are overridden away at install.
 * Returns the number of packages.
 */
export function buildPayload(root: string, outDir: string): number {
  const packages = productionClosure(root, PAYLOAD_PACKAGES);
  const omitted = new Set(PAYLOAD_OMITTED_FILES.map((f) => join(root, 'node_modules', f)));
  for (const rel of packages) {
    const from = join(root, rel);
    mkdirSync(join(outDir, rel), { recursive: true });
    cpSync(from, join(outDir, rel), {
      recursive: true,
      filter: (src) => {
        if (omitted.has(src) || PAYLOAD_OMITTED_SUFFIXES.some((suffix) => src.endsWith(suffix))) return false;
        const inside = relative(from, src);
        return inside !== 'node_modules' && !inside.startsWith(`node_modules${sep}`);
      },
    });
  }
  return packages.length;
}
