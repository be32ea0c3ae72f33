import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the server misbehaves for one request (by its 0-based number). */
export interface MirrorFault {
  /** Send this many body bytes, then destroy the socket. */
  cutAfterBytes?: number;
  /** Answer 200 with the whole blob even when a Range was asked. */
  ignoreRange?: boolean;
  /** Answer with this status and a short body instead. */
  status?: number;
  /** Wait this long before the headers. */
  delayMs?: number;
}

export interface TestMirror {
  /** `<base>/v1/nodes/mirror/<sha256>`. */
  urlFor(sha256: string): string;
  /** Every request received: its path and headers, in order. */
  requests: { path: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

export interface TestMirrorOptions {
  /** Blobs served, by the sha256 in the path (the body need not hash to it: corruption tests). */
  blobs: Map<string, Buffer>;
  /** Bearer token required; other requests get 401. */
  credential: string;
  /** Fault to inject per request number. */
  faults?: (requestNumber: number) => MirrorFault | undefined;
  /** Bytes per write and pause between writes, so a transfer takes observable time. */
  chunkBytes?: number;
  chunkDelayMs?: number;
}

/**
 * Test support until the hub's mirror is available in tests: a loopback `node:http` server with the
 * mirror's transport contract — `GET /v1/nodes/mirror/<sha256>`, bearer credential, ETag = sha256,
 * `Range: bytes=N-` answered 206 with Content-Range (416 past the end) — plus injected faults.
 */
export async function startTestMirror(options: TestMirrorOptions): Promise<TestMirror> {
  const requests: TestMirror['requests'] = [];
  const server = createServer((req, res) => {
    const n = requests.length;
    requests.push({ path: req.url ?? '', headers: req.headers });
    const fault = options.faults?.(n) ?? {};
    const respond = () => serve(options, fault, req.url ?? '', req.headers, res);
    if (fault.delayMs) setTimeout(respond, fault.delayMs);
    else respond();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    urlFor: (sha256) => `http://127.0.0.1:${port}/v1/nodes/mirror/${sha256}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function serve(options: TestMirrorOptions, fault: MirrorFault, path: string, headers: IncomingHttpHeaders, res: ServerResponse): void {
  if (headers.authorization !== `Bearer ${options.credential}`) return void res.writeHead(401).end();
  if (fault.status) return void res.writeHead(fault.status).end(`injected ${fault.status}`);
  const sha256 = /^\/v1\/nodes\/mirror\/([0-9a-f]{64})$/.exec(path)?.[1];
  const blob = sha256 === undefined ? undefined : options.blobs.get(sha256);
  if (!blob || !sha256) return void res.writeHead(404).end('no such blob');
  const range = /^bytes=(\d+)-$/.exec(headers.range ?? '');
  let start = 0;
  if (range && !fault.ignoreRange) {
    start = Number(range[1]);
    if (start >= blob.length) return void res.writeHead(416, { 'content-range': `bytes */${blob.length}` }).end();
    res.writeHead(206, { etag: `"${sha256}"`, 'content-length': blob.length - start, 'content-range': `bytes ${start}-${blob.length - 1}/${blob.length}` });
  } else {
    res.writeHead(200, { etag: `"${sha256}"`, 'content-length': blob.length, 'accept-ranges': 'bytes' });
  }
  const body = blob.subarray(start);
  const limit = fault.cutAfterBytes ?? body.length;
  const step = options.chunkBytes ?? 64 * 1024;
  let at = 0;
  const next = () => {
    if (at >= limit) {
      if (limit < body.length) res.socket?.end(); // flush what was written, then cut
      else res.end();
      return;
    }
    const end = Math.min(at + step, limit);
    res.write(body.subarray(at, end));
    at = end;
    if (options.chunkDelayMs) setTimeout(next, options.chunkDelayMs);
    else setImmediate(next);
  };
  next();
}
