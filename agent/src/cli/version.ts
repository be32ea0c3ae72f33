/** The release version, kept equal to agent/package.json's; the executable build stamps it in. */
export const AGENT_VERSION = '0.1.0';
