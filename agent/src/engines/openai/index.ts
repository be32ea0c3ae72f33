export { OpenAIEngine, type OpenAIEngineOptions } from './openaiEngine.ts';
export type { HealthState } from '../upstream/index.ts';
