import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every metric the hub exports, in one place. Names follow `porten_hub_<name>_<unit>`.
 * Labels are bounded: codes come from errors/codes.ts, reasons from routing's refusal list,
 * regions and trust classes from the operator's node table.
 */
export function createHubMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'porten_hub_' });
  const latencyBuckets = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
  return {
    registry,
    requests: new Counter({
      name: 'porten_hub_requests_total',
      help: 'OpenAI API requests by endpoint and outcome code (ok or the error code).',
      labelNames: ['endpoint', 'code'] as const,
      registers: [registry],
    }),
    routingRefusals: new Counter({
      name: 'porten_hub_routing_refusals_total',
      help: 'Requests refused at routing time, by the constraint that emptied the compliant set.',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    retries: new Counter({
      name: 'porten_hub_routing_retries_total',
      help: 'Dispatches retried on another compliant node after a failure before the first byte.',
      registers: [registry],
    }),
    nodesOnline: new Gauge({
      name: 'porten_hub_nodes_online',
      help: 'Nodes with a live tunnel to this replica, by operator-assigned region and trust class.',
      labelNames: ['region', 'trust_class'] as const,
      registers: [registry],
    }),
    addedLatency: new Histogram({
      name: 'porten_hub_added_latency_seconds',
      help: 'Time the hub adds before dispatch: auth, validation, policy, routing, audit.',
      buckets: latencyBuckets,
      registers: [registry],
    }),
    timeToFirstToken: new Histogram({
      name: 'porten_hub_time_to_first_token_seconds',
      help: 'From request arrival to the first byte from the node.',
      buckets: latencyBuckets,
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'porten_hub_request_duration_seconds',
      help: 'From request arrival to the last byte sent to the client.',
      labelNames: ['endpoint'] as const,
      buckets: latencyBuckets,
      registers: [registry],
    }),
    tokens: new Counter({
      name: 'porten_hub_tokens_total',
      help: 'Tokens processed, by kind (prompt, completion).',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    auditRecords: new Counter({
      name: 'porten_hub_audit_records_total',
      help: 'Audit records durably appended, by event.',
      labelNames: ['event'] as const,
      registers: [registry],
    }),
    auditFailures: new Counter({
      name: 'porten_hub_audit_failures_total',
      help: 'Audit appends that failed (the request was refused when the record had to precede dispatch).',
      registers: [registry],
    }),
  };
}

export type HubMetrics = ReturnType<typeof createHubMetrics>;
