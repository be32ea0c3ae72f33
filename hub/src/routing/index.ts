export { Router, type RouteRequest, type RouteSink, type RouteOutcome, type ServedBy } from './router.ts';
export { RoutingDirectory } from './routingDirectory.ts';
export { ModelPlacement, type WarmingStatus } from './modelPlacement.ts';
export { selectCandidates, type Candidate, type RefusalReason, type Selection } from './selectCandidates.ts';
