/** The release version, kept equal to hub/package.json's; the executable build stamps it (and the git revision) in. */
export const HUB_VERSION = '0.1.0';
