export { createHubMetrics, type HubMetrics } from './hubMetrics.ts';
