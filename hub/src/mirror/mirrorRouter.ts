import { Router, type Request, type Response } from 'express';
import { pipeline } from 'node:stream/promises';
import type { HubDeps } from '../deps.ts';
import { HubError } from '../errors/index.ts';
import { toErrorBody } from '../http/errorResponse.ts';
import { models } from '../store/index.ts';
import { authenticateNode } from '../auth/authenticateNode.ts';
import { SHA256_PATTERN, type BlobStore } from './blobStore.ts';
import { answerRange } from './byteRange.ts';

/** Where nodes download model weights; the hub's `load` frames point here (routing/router.ts). */
export const MIRROR_PATH = '/v1/nodes/mirror';

/** Read size for streaming a blob: large enough to keep a fast link busy, small enough to stay off the heap. */
const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * The model mirror for nodes: `GET /v1/nodes/mirror/{sha256}` (and HEAD), authenticated with the node
 * credential (approved nodes only). Serves a blob only while a catalog entry names it, so removing a
 * model from the catalog stops its distribution even before the file is deleted. Answers:
 *   200 the whole blob; 206 one byte range (`Range: bytes=N-` resumes an interrupted download);
 *   416 an unusable range; 404 a blob not in the catalog or not in the store; 401 no valid credential.
 * Headers: Content-Length, `ETag: "<sha256>"` (so If-Range works), Accept-Ranges: bytes. The node
 * verifies the sha256 of the complete file itself; the hub never claims more than it serves.
 */
export function createMirrorRouter(deps: Pick<HubDeps, 'pool' | 'config' | 'log'>, blobs: BlobStore): Router {
  const router = Router();
  router.get(`${MIRROR_PATH}/:sha256`, async (req, res) => {
    const node = await authenticateNode(req.header('authorization'), deps);
    const sha256 = String(req.params.sha256);
    const unknown = () => new HubError('not_found', `the model mirror has no blob ${sha256.slice(0, 80)} in the catalog; the catalog may have changed: ask the hub again`);
    if (!SHA256_PATTERN.test(sha256)) throw unknown();
    if (!(await inCatalog(sha256))) throw unknown();
    const blob = await blobs.open(sha256);
    if (!blob) {
      deps.log.warn('catalog names a blob the mirror does not hold', { sha256 });
      throw new HubError('not_found', `the catalog names blob ${sha256} but the mirror does not hold it: an operator must import the weights (PUT /admin/v1/models/{id}/weights or porten-hub import-model)`);
    }
    try {
      await send(req, res, sha256, blob, node.id);
    } finally {
      await blob.handle.close().catch(() => undefined);
    }
  });
  return router;

  async function inCatalog(sha256: string): Promise<boolean> {
    try {
      // The catalog is small (tens of entries) and downloads are rare: no index or cache needed.
      return (await models.listModels(deps.pool)).some((m) => m.format === 'gguf' && m.sha256 === sha256);
    } catch (err) {
      throw new HubError('service_unavailable', 'the hub cannot read its catalog (database unreachable); the node should retry', { cause: err, retryAfterS: deps.config.retryAfterS });
    }
  }

  async function send(req: Request, res: Response, sha256: string, blob: NonNullable<Awaited<ReturnType<BlobStore['open']>>>, nodeId: string): Promise<void> {
    const etag = `"${sha256}"`;
    const range = answerRange(req.header('range'), blob.size, { etag, ifRange: req.header('if-range') });
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('ETag', etag);
    if (range.kind === 'unsatisfiable') {
      const { body } = toErrorBody(new HubError('invalid_request_error', range.why, { param: 'range' }), String(res.locals.requestId ?? '-'));
      res.status(416).setHeader('Content-Range', `bytes */${blob.size}`).json(body);
      return;
    }
    const [start, end] = range.kind === 'partial' ? [range.start, range.end] : [0, blob.size - 1];
    res.status(range.kind === 'partial' ? 206 : 200);
    if (range.kind === 'partial') res.setHeader('Content-Range', `bytes ${start}-${end}/${blob.size}`);
    res.setHeader('Content-Type', 'application/octet-stream');
    res.setHeader('Content-Length', String(end - start + 1));
    if (req.method === 'HEAD' || blob.size === 0) {
      res.end();
      return;
    }
    deps.log.info('mirror download', { requestId: res.locals.requestId, node: nodeId, sha256, from: start, bytes: end - start + 1 });
    try {
      await pipeline(blob.handle.createReadStream({ start, end, highWaterMark: READ_CHUNK_BYTES, autoClose: false }), res);
    } catch (err) {
      // Usually the node went away mid-download; it resumes with a Range request.
      deps.log.info('mirror download ended early', { requestId: res.locals.requestId, node: nodeId, sha256, err: (err as Error).message });
      res.destroy();
    }
  }
}
