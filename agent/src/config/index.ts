export { loadConfig, type MachineDefaults } from './loadConfig.ts';
export { httpUrl } from './httpUrl.ts';
export { CONFIG_VARIABLES, type AgentConfig, type LogLevel, type UpstreamModel } from './types.ts';
export { homeLayout, type HomeLayout } from './homeLayout.ts';
export { writePrivateFile } from './privateFile.ts';
export { readCredentials, writeCredentials, deleteCredentials, requireCredentials, type Credentials } from './credentials.ts';
