import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { AgentError } from '../errors/index.ts';

export interface DownloadRequest {
  url: string;
  credential: string;
  /** The file the bytes go to; what it already holds is a prefix to resume from. */
  partialPath: string;
  /** Size the hub declared, or null to take it from the response. */
  expectedBytes: number | null;
  signal: AbortSignal;
  /** Called after every chunk written (done ≤ total; total is 0 while unknown). */
  onBytes(done: number, total: number): void;
  /** Called before each attempt (or once the response names the size), with what remains; throws to refuse. */
  checkSpace(remainingBytes: number): Promise<void>;
  maxFailuresWithoutProgress: number;
  retryDelayMs: number;
  stallTimeoutMs: number;
}

export interface DownloadResult {
  /** sha256 of the whole file as written, lower-case hex. */
  sha256: string;
  bytes: number;
}

/** The bytes already in the partial file and their running hash. */
interface Prefix {
  bytes: number;
  hash: Hash;
}

/**
 * Downloads `url` into `partialPath`, resuming what is there: the existing prefix is hashed first
 * (or its hash carried over from the previous attempt), then `Range: bytes=<have>-` is sent. A 206
 * appends; a 200 means the server ignored the range, so the file restarts from zero; a 416 means the
 * prefix is not one of this blob, so it is dropped. Interrupted transfers (connection cut, stall,
 * 5xx) are retried while each attempt brings new bytes, giving up after `maxFailuresWithoutProgress`
 * failed attempts in a row
 * that got no further into the file than any attempt before (an attempt cut after new progress is
 * resumed at once). The file is flushed to disk before this resolves; the caller verifies the
 * hash and renames. Bytes stream from socket to disk: the model is never held in memory.
 */
export async function downloadResumable(req: DownloadRequest): Promise<DownloadResult> {
  let prefix: Prefix | null = null;
  let failures = 0;
  let furthest = 0; // progress means passing this, so a restart from zero cannot loop for ever
  for (;;) {
    req.signal.throwIfAborted();
    prefix = await readPrefix(req.partialPath, prefix);
    furthest = Math.max(furthest, prefix.bytes);
    try {
      return await attempt(req, prefix);
    } catch (err) {
      req.signal.throwIfAborted();
      const agentErr = asAgentError(err, req.url);
      if (!agentErr.retryable) throw agentErr;
      failures = prefix.bytes > furthest ? 0 : failures + 1;
      if (failures >= req.maxFailuresWithoutProgress) throw agentErr;
      await sleep(req.retryDelayMs * Math.max(1, failures), undefined, { signal: req.signal });
    }
  }
}

async function attempt(req: DownloadRequest, prefix: Prefix): Promise<DownloadResult> {
  if (req.expectedBytes !== null && prefix.bytes === req.expectedBytes) return finish(req.partialPath, prefix);
  if (req.expectedBytes !== null) await req.checkSpace(req.expectedBytes - prefix.bytes);
  // identity: byte offsets and counts must be those of the file, never of a compressed body.
  const headers: Record<string, string> = { authorization: `Bearer ${req.credential}`, 'accept-encoding': 'identity' };
  if (prefix.bytes > 0) headers.range = `bytes=${prefix.bytes}-`;
  const fh = await open(req.partialPath, 'a');
  // Cut when no byte arrives for stallTimeoutMs, and when this attempt ends early for any reason.
  const cut = new AbortController();
  let stalled = false;
  let stallTimer: NodeJS.Timeout | undefined;
  const armStall = () => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => {
      stalled = true;
      cut.abort();
    }, req.stallTimeoutMs);
  };
  try {
    armStall();
    const res = await fetch(req.url, { headers, signal: AbortSignal.any([req.signal, cut.signal]) });
    armStall();
    const total = await startBody(req, res, prefix, fh);
    if (req.expectedBytes === null && total !== null) await req.checkSpace(total - prefix.bytes);
    req.onBytes(prefix.bytes, total ?? 0);
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      armStall();
      if (total !== null && prefix.bytes + chunk.byteLength > total) {
        throw new AgentError('model_corrupt', `the mirror sent more than the ${total} bytes declared for ${req.url}`);
      }
      await fh.write(chunk);
      prefix.hash.update(chunk);
      prefix.bytes += chunk.byteLength;
      req.onBytes(prefix.bytes, total ?? prefix.bytes);
    }
    if (total !== null && prefix.bytes < total) {
      throw new AgentError('download_failed', `the transfer of ${req.url} ended after ${prefix.bytes} of ${total} bytes`);
    }
    await fh.sync();
    return { sha256: prefix.hash.copy().digest('hex'), bytes: prefix.bytes };
  } catch (err) {
    if (stalled && !req.signal.aborted) {
      throw new AgentError('download_failed', `no data from ${req.url} for ${req.stallTimeoutMs} ms`, { cause: err });
    }
    throw err;
  } finally {
    clearTimeout(stallTimer);
    cut.abort(); // releases the connection when the body was not read to its end
    await fh.close();
  }
}

/**
 * Checks the response and lines the partial file up with it; returns the full size when known.
 * Resets `prefix` to zero when the server sends the whole blob (200) or rejects the range (416).
 */
async function startBody(req: DownloadRequest, res: Response, prefix: Prefix, fh: FileHandle): Promise<number | null> {
  const have = prefix.bytes;
  if (res.status === 416) {
    await res.body?.cancel();
    await restartFromZero(prefix, fh);
    throw new AgentError('download_failed', `the mirror rejected resuming at byte ${have}; restarting from zero`);
  }
  if (res.status !== 200 && res.status !== 206) {
    const hubError = describeHubError(await res.text().catch(() => ''));
    const where = `the mirror answered ${res.status} for ${req.url}`;
    if (res.status >= 500 || res.status === 408 || res.status === 429) throw new AgentError('download_failed', `${where}${hubError ? `: ${hubError}` : ''}`);
    const hint = res.status === 401 || res.status === 403 ? 'is the node credential still valid? run `porten login` again' : '';
    throw new AgentError('mirror_refused', `${where}: ${hubError || hint || 'refused'}`);
  }
  const declared = req.expectedBytes;
  if (res.status === 200) {
    if (prefix.bytes > 0) await restartFromZero(prefix, fh);
    const length = headerNumber(res.headers.get('content-length'));
    return declared ?? length;
  }
  const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
  if (!range || Number(range[1]) !== have) {
    await res.body?.cancel();
    await restartFromZero(prefix, fh);
    throw new AgentError('download_failed', `the mirror answered a resume at byte ${have} with range ${res.headers.get('content-range')}; restarting from zero`);
  }
  return declared ?? (range[3] === '*' ? null : Number(range[3]));
}

async function restartFromZero(prefix: Prefix, fh: FileHandle): Promise<void> {
  await fh.truncate(0);
  prefix.bytes = 0;
  prefix.hash = createHash('sha256');
}

/** The partial file's length and hash: carried over when the file still has exactly those bytes. */
async function readPrefix(path: string, carried: Prefix | null): Promise<Prefix> {
  const size = await stat(path).then((s) => s.size, () => 0);
  if (carried && carried.bytes === size) return carried;
  const hash = createHash('sha256');
  if (size === 0) return { bytes: 0, hash };
  let bytes = 0;
  for await (const chunk of createReadStream(path, { end: size - 1 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.byteLength;
  }
  return { bytes, hash };
}

async function finish(path: string, prefix: Prefix): Promise<DownloadResult> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  return { sha256: prefix.hash.copy().digest('hex'), bytes: prefix.bytes };
}

/** `code: message` from the hub's OpenAI-style error body, else the body's start, else ''. */
function describeHubError(body: string): string {
  try {
    const e = (JSON.parse(body) as { error?: { code?: unknown; message?: unknown } }).error;
    if (typeof e?.message === 'string') return typeof e.code === 'string' ? `${e.code}: ${e.message}` : e.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.slice(0, 200).replace(/\s+/g, ' ').trim();
}

function headerNumber(v: string | null): number | null {
  const n = v === null ? NaN : Number(v);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/** Network failures (refused, reset, cut mid-body) become retryable download_failed. */
function asAgentError(err: unknown, url: string): AgentError {
  if (err instanceof AgentError) return err;
  const e = err as Error & { cause?: { code?: string; message?: string } };
  const why = e.cause?.code ?? e.cause?.message ?? e.message;
  return new AgentError('download_failed', `could not fetch ${url}: ${why}`, { cause: err });
}
