import { performance } from 'node:perf_hooks';
import type { Request, Response, NextFunction } from 'express';
import type { HubMetrics } from '../metrics/index.ts';

/** Bounded `endpoint` label values: the API's routes, nothing taken from the URL as typed. */
const ENDPOINTS: Record<string, string> = {
  '/chat/completions': 'chat.completions',
  '/completions': 'completions',
  '/embeddings': 'embeddings',
  '/models': 'models',
};

/**
 * Stamps the arrival time (the start of "hub-added" time) and, when the response is over, counts it
 * once in `porten_hub_requests_total{endpoint,code}` and the duration histogram — refusals before
 * routing (401, 400, 404, 413) included. `code` is `ok`, the error code sent, or how a started
 * response ended (`client_closed`, `node_error`).
 */
export function requestMetrics(metrics: HubMetrics) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const receivedAt = performance.now();
    res.locals.receivedAt = receivedAt;
    // Read now: req.path is relative to the /v1 mount only while this router runs.
    const endpoint = ENDPOINTS[req.path] ?? (req.path.startsWith('/models/') ? 'models' : 'other');
    res.once('close', () => {
      const code = (res.locals.outcomeCode as string | undefined) ?? (res.locals.errorCode as string | undefined) ?? (res.statusCode < 400 ? 'ok' : `http_${res.statusCode}`);
      metrics.requests.inc({ endpoint, code });
      metrics.requestDuration.observe({ endpoint }, (performance.now() - receivedAt) / 1000);
    });
    next();
  };
}
