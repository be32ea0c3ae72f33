export { ExternalEngine, type ExternalEngineOptions } from './externalEngine.ts';
export { readNdjson, readSse } from './readLines.ts';
export { tokenCount } from './tokenCounts.ts';
export type { HealthState } from './upstreamHealth.ts';
export type { StreamStep, UpstreamDialect, UpstreamTexts } from './types.ts';
