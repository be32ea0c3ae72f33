import pkg from '../../package.json' with { type: 'json' };

// Stamped in by the single-executable build (bundle/buildStamp.ts, through esbuild `define`), like
// hub/src/version.ts: from source these globals do not exist (`typeof` says 'undefined'), so a source
// run reports agent/package.json's version and the revision "source".
declare const PORTEN_RELEASE_VERSION: string | undefined;
declare const PORTEN_GIT_REVISION: string | undefined;

/** The release version (agent/package.json's when running from source). */
export const AGENT_VERSION: string = typeof PORTEN_RELEASE_VERSION === 'string' ? PORTEN_RELEASE_VERSION : pkg.version;
/** The git revision the executable was built from (`abc1234`, `abc1234-dirty`), or "source". */
export const AGENT_REVISION: string = typeof PORTEN_GIT_REVISION === 'string' ? PORTEN_GIT_REVISION : 'source';
