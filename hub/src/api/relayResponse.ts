import type { Response } from 'express';
import { sendError, toErrorBody } from '../http/errorResponse.ts';
import type { DeltaMessage, DoneMessage, ResultMessage } from '@porten/shared/protocol';
import type { RouteRequest, ServedBy } from '../routing/index.ts';
import type { ApiKey } from '../store/index.ts';
import { SSE_DONE, sseEvent } from './format/index.ts';
import type { ApiContext } from './routeContext.ts';

/**
 * Turns node events into one endpoint's OpenAI objects; one instance per request. The stream
 * accumulators of format/ (chat, text completion) are ResponseShapes as they are.
 */
export interface ResponseShape {
  /** Every delta, in order: returns the SSE payloads to stream for it (ignored in JSON mode). */
  push(delta: DeltaMessage): object[];
  /** Stream mode: the closing payloads (finish_reason chunk, usage chunk when asked). */
  finish(done: DoneMessage): object[];
  /** JSON mode: the whole response body, once the node is done. */
  completion(done: DoneMessage): object;
  /** Non-streamed results (embeddings). */
  onResult?(m: ResultMessage): void;
}

/** What an endpoint decides about a request; the rest of the RouteRequest comes from the HTTP layer. */
export type RouteSpec = Pick<RouteRequest, 'model' | 'needs' | 'build'>;

/**
 * Routes the request and relays the node's answer to the client, streamed (SSE) or as one JSON body.
 * Headers — `x-porten-node`, `x-porten-region`, `x-porten-hub-ms` — are written at the first byte,
 * after any retries, so they always name the node that actually served. A client that goes away
 * cancels the work on the node. A slow client pauses the node's stream (back-pressure).
 */
export async function relayResponse(ctx: ApiContext, res: Response, spec: RouteSpec, shape: ResponseShape, stream: boolean): Promise<void> {
  const { deps, router } = ctx;
  const route: Omit<RouteRequest, 'signal'> = {
    ...spec,
    requestId: String(res.locals.requestId),
    ...(res.locals.clientRequestId ? { clientRequestId: String(res.locals.clientRequestId) } : {}),
    key: res.locals.key as ApiKey,
    receivedAt: res.locals.receivedAt as number,
  };
  const abort = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) abort.abort();
  };
  res.on('close', onClose);
  let served: ServedBy | undefined;
  let flowControl: { pause(): void; resume(): void } | undefined;
  const sse = (payload: object) => res.write(sseEvent(payload));

  try {
    const outcome = await router.route(
      { ...route, signal: abort.signal },
      {
        onStart(by, flow) {
          served = by;
          res.setHeader('x-porten-node', by.nodeId);
          res.setHeader('x-porten-region', by.region);
          res.setHeader('x-porten-hub-ms', by.hubAddedMs.toFixed(3));
          if (stream) {
            res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
            res.on('drain', () => flow.resume());
            flowControl = flow;
          }
        },
        onDelta(m) {
          if (!stream) {
            shape.push(m); // accumulates for completion()
            return;
          }
          let ok = true;
          for (const c of shape.push(m)) ok = sse(c) && ok;
          if (!ok) flowControl?.pause();
        },
        onResult(m) {
          shape.onResult?.(m);
        },
        onDone(m) {
          if (stream) {
            for (const c of shape.finish(m)) sse(c);
            res.end(SSE_DONE);
          } else {
            res.status(200).json(shape.completion(m));
          }
        },
      },
    );
    if (outcome.kind !== 'done') res.locals.outcomeCode = outcome.kind === 'cancelled' ? 'client_closed' : outcome.error.code;
    if (outcome.kind === 'failed') {
      // After the first byte there is no retry: end the stream with an error event the SDKs surface.
      if (stream) {
        res.end(sseEvent(toErrorBody(outcome.error, String(res.locals.requestId)).body));
      } else {
        sendError(res, outcome.error, deps.log, deps.config.retryAfterS);
      }
    }
  } catch (err) {
    if (served && stream) {
      res.end(sseEvent(toErrorBody(err, String(res.locals.requestId)).body));
    } else if (!res.writableEnded) {
      sendError(res, err, deps.log, deps.config.retryAfterS);
    }
  } finally {
    res.off('close', onClose);
  }
}
