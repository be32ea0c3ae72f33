/**
 * `npm run build:images [-- options]`: builds porten/{hub,agent,postgres,redis,prometheus} (and the
 * test-only porten/nodehost-test) from Debian packages, records them for the release, prints one
 * line per step and a summary. Exit 0 when every image is built or cached; otherwise one line per
 * problem on stderr and exit 1.
 *
 * Options:
 *   --only=hub,postgres       build these images only (default: all)
 *   --mirror=URL              Debian archive (default http://deb.debian.org/debian); a site's own mirror
 *   --security-mirror=URL     Debian security archive (default http://deb.debian.org/debian-security)
 *   --refresh                 rebuild rootfs and images even when cached (new package versions)
 *   --dist=DIR                where the executables are and the records go (default dist/)
 */
import { buildImages } from './buildImages.ts';
import { repoBuildOptions } from './buildOptions.ts';
import { inspectImage } from './dockerCli.ts';
import { BundleError } from '../bundleError.ts';
import { recordImages } from './recordImages.ts';
import type { BuildImagesOptions } from './buildImages.ts';

export function parseArgs(argv: string[]): Partial<BuildImagesOptions> {
  const out: Partial<BuildImagesOptions> = {};
  const mirrors = { ...repoBuildOptions().mirrors };
  for (const arg of argv) {
    const [flag, value] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const need = (): string => {
      if (!value) throw new BundleError('bad_argument', `${flag} needs a value (${flag}=…)`);
      return value;
    };
    if (flag === '--only') out.only = need().split(',').map((s) => s.trim()).filter(Boolean);
    else if (flag === '--mirror') mirrors.mirror = need();
    else if (flag === '--security-mirror') mirrors.securityMirror = need();
    else if (flag === '--refresh') out.refresh = true;
    else if (flag === '--dist') out.distDir = need();
    else throw new BundleError('bad_argument', `unknown option ${arg}: use --only=, --mirror=, --security-mirror=, --refresh or --dist= (see images/src/buildImagesCli.ts)`);
  }
  out.mirrors = mirrors;
  return out;
}

async function main(): Promise<void> {
  const started = Date.now();
  const opts = repoBuildOptions(parseArgs(process.argv.slice(2)));
  console.log(`build:images ${opts.version}`);
  const results = await buildImages(opts);
  const recorded = await recordImages(results, opts.distDir, opts.version);
  console.log('');
  for (const r of results) {
    const info = await inspectImage(r.tag);
    const mb = info ? `${(info.size / 1e6).toFixed(0)} MB` : '?';
    console.log(`${r.tag.padEnd(32)} ${r.status.padEnd(7)} ${r.id.slice(7, 19)}  ${mb}${r.release ? '' : '  (test only)'}`);
  }
  console.log(`image ids recorded in ${recorded.target}; package lists in ${opts.distDir}/images/`);
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

if (import.meta.main) {
  main().catch((err: unknown) => {
    if (err instanceof BundleError) {
      for (const line of err.message.split('\n')) console.error(`build:images: ${line}`);
    } else {
      console.error(`build:images: unexpected error (this is a bug): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
    process.exit(1);
  });
}
