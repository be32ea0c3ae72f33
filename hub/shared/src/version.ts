import pkg from '../package.json' with { type: 'json' };

// The one version of hub, agent and portenctl: they ship together in one release.
// Stamped in by the single-executable build (bundle/src/buildStamp.ts, through esbuild `define`): the
// release version and the git revision it was built from. From source these globals do not exist —
// `typeof` of an undeclared name is 'undefined', not a ReferenceError — so a source run reports this
// workspace's package version (bundle/test/version.test.ts keeps it equal to the root's) and the revision "source".
declare const PORTEN_RELEASE_VERSION: string | undefined;
declare const PORTEN_GIT_REVISION: string | undefined;

/** The release version (hub/shared/package.json's when running from source). */
export const RELEASE_VERSION: string = typeof PORTEN_RELEASE_VERSION === 'string' ? PORTEN_RELEASE_VERSION : pkg.version;
/** The git revision the executable was built from (`abc1234`, `abc1234-dirty`), or "source". */
export const RELEASE_REVISION: string = typeof PORTEN_GIT_REVISION === 'string' ? PORTEN_GIT_REVISION : 'source';
