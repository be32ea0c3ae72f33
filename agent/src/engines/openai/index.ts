export { OpenAIEngine, type OpenAIEngineOptions } from './openaiEngine.ts';
export type { HealthState } from './upstreamHealth.ts';
