import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { build, type Message } from 'esbuild';
import type { ExecutableSpec } from './layout.ts';
import { BundleError } from './bundleError.ts';

/**
 * Bundles one executable's entry into a single CommonJS file — what a Node SEA runs — and returns
 * its path. `defines` stamp the version and revision in. Every esbuild warning fails the build (a
 * warning here is a run-time failure in the executable), and so does any import left outside the
 * bundle that is neither a Node built-in nor in `spec.external`.
 *
 * `import.meta` does not exist in CommonJS: its uses in the sources are guarded by isSea() or
 * `import.meta.main`, and are defined here to what they are inside the executable — no source file
 * (`url`, `dirname` undefined) and no module run as a script (`main` false) — rather than left to
 * esbuild's silent empty object.
 */
export async function bundleEntry(root: string, spec: ExecutableSpec, defines: Record<string, string>, outDir: string): Promise<string> {
  const outfile = join(outDir, `${spec.name}.cjs`);
  const result = await build({
    absWorkingDir: root,
    entryPoints: [join(root, spec.entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    external: spec.external,
    define: {
      ...defines,
      'import.meta.url': 'undefined',
      'import.meta.dirname': 'undefined',
      'import.meta.filename': 'undefined',
      'import.meta.main': 'false',
    },
    legalComments: 'eof',
    metafile: true,
    logLevel: 'silent',
  }).catch((err: { errors?: Message[] }) => {
    throw new BundleError('bundle_failed', `esbuild failed for ${spec.entry}:\n${describe(err.errors ?? [])}`, { cause: err });
  });
  if (result.warnings.length > 0) throw new BundleError('bundle_failed', `esbuild warned for ${spec.entry} (each is a bug in the executable):\n${describe(result.warnings)}`);

  const unexpected = new Set<string>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const i of output.imports) {
      if (!i.external) continue;
      if (!isBuiltin(i.path) && !spec.external.includes(i.path)) unexpected.add(i.path);
    }
  }
  if (unexpected.size > 0) throw new BundleError('bundle_failed', `${spec.entry} imports modules the executable cannot load: ${[...unexpected].join(', ')}`);
  return outfile;
}

function describe(messages: Message[]): string {
  return messages.map((m) => `  ${m.location ? `${m.location.file}:${m.location.line}: ` : ''}${m.text}`).join('\n');
}
