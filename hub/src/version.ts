import pkg from '../package.json' with { type: 'json' };

// Stamped in by the single-executable build (bundle/buildStamp.ts, through esbuild `define`): the
// release version and the git revision it was built from. From source these globals do not exist —
// `typeof` of an undeclared name is 'undefined', not a ReferenceError — so a source run reports the
// workspace's package version and the revision "source".
declare const PORTEN_RELEASE_VERSION: string | undefined;
declare const PORTEN_GIT_REVISION: string | undefined;

/** The release version (hub/package.json's when running from source). */
export const HUB_VERSION: string = typeof PORTEN_RELEASE_VERSION === 'string' ? PORTEN_RELEASE_VERSION : pkg.version;
/** The git revision the executable was built from (`abc1234`, `abc1234-dirty`), or "source". */
export const HUB_REVISION: string = typeof PORTEN_GIT_REVISION === 'string' ? PORTEN_GIT_REVISION : 'source';
