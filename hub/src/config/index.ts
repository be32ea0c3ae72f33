export { loadConfig } from './loadConfig.ts';
export type { HubConfig } from './types.ts';
