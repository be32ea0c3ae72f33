export { createInstallRouter } from './installRouter.ts';
export { renderInstallScript } from './installScript.ts';
export { AGENT_FILES, readAgentRelease, type AgentRelease } from './releaseFiles.ts';
