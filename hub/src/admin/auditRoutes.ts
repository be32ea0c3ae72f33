import { once } from 'node:events';
import type { Response } from 'express';
import { exportAudit, queryAudit, verifyChain, type AuditFilter } from '../audit/index.ts';
import type { HubDeps } from '../deps.ts';
import { HubError } from '../errors/index.ts';
import type { AdminRoute } from './adminRoute.ts';
import { parseAuditFilter, parseAuditQuery, parseVerifyAnchor } from './auditParams.ts';
import { ANY_ROLE } from './roles.ts';

/**
 * The audit log, read-only, for every role (auditors above all): query a page, stream an export,
 * verify the chain. Nothing here writes; records are only ever appended by the request router.
 * See docs/audit.md for what the records and the chain prove.
 */
export function auditRoutes(deps: HubDeps): AdminRoute[] {
  return [
    {
      method: 'get',
      path: '/audit',
      roles: ANY_ROLE,
      async handle(req, res) {
        const page = await queryAudit(deps.pool, parseAuditQuery(req.query));
        res.json({ data: page.records, next_after_seq: page.next_after_seq });
      },
    },
    {
      method: 'get',
      path: '/audit/export',
      roles: ANY_ROLE,
      async handle(req, res) {
        await streamExport(deps, res, parseAuditFilter(req.query));
      },
    },
    {
      method: 'get',
      path: '/audit/verify',
      roles: ANY_ROLE,
      async handle(req, res) {
        const anchor = parseVerifyAnchor(req.query);
        res.json(await verifyChain(deps.pool, anchor ? { anchor } : {}));
      },
    },
  ];
}

/**
 * Streams the export as JSON lines. The status and headers go out with the first chunk, so anything
 * that fails before it (a bad filter, the database down at the start) is an ordinary JSON error.
 *
 * A failure after that cannot change the status. The response is then destroyed rather than ended:
 * a cleanly ended chunked response would look like a complete export (and an unfiltered one would
 * even verify offline, only shorter), while a cut connection makes curl exit non-zero and fetch
 * reject. The failure is logged with the request id. A client that goes away stops the export at its
 * next page; that is logged at debug only.
 */
async function streamExport(deps: HubDeps, res: Response, filter: AuditFilter): Promise<void> {
  const startedAt = new Date();
  const begin = () => {
    if (res.headersSent) return;
    res.status(200);
    res.setHeader('Content-Type', 'application/x-ndjson');
    res.setHeader('Content-Disposition', `attachment; filename="porten-audit-${fileTimestamp(startedAt)}.jsonl"`);
    res.setHeader('Cache-Control', 'no-store');
  };
  let count: number;
  try {
    count = await exportAudit(deps.pool, filter, async (chunk) => {
      begin();
      await writeChunk(res, chunk);
    });
  } catch (err) {
    if (!res.headersSent) throw err;
    const requestId = res.locals.requestId;
    if (res.destroyed) {
      deps.log.debug('audit export abandoned by the client', { requestId });
    } else {
      // A HubError here is the store failing (service_unavailable, driver error as cause); anything else is a bug.
      const e = err instanceof Error ? err : new Error(String(err));
      deps.log.error('audit export failed after the response started; connection cut so the partial export cannot pass as complete', {
        requestId,
        err: e instanceof HubError ? e.message : (e.stack ?? e.message),
        ...(e.cause instanceof Error ? { cause: e.cause.message } : {}),
      });
      res.destroy();
    }
    return;
  }
  begin();
  res.end();
  deps.log.debug('audit export sent', { requestId: res.locals.requestId, records: count });
}

/** Writes one chunk and waits until the socket takes it (back-pressure); rejects once the client is gone. */
async function writeChunk(res: Response, chunk: string): Promise<void> {
  if (res.destroyed) throw new Error('the client closed the connection');
  if (res.write(chunk)) return;
  const stop = new AbortController();
  try {
    const drained = await Promise.race([once(res, 'drain', { signal: stop.signal }).then(() => true), once(res, 'close', { signal: stop.signal }).then(() => false)]);
    if (!drained) throw new Error('the client closed the connection');
  } finally {
    stop.abort();
  }
}

/** 2026-01-31T12:00:05.123Z → 20260131T120005Z (no characters that file systems dislike). */
function fileTimestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}
