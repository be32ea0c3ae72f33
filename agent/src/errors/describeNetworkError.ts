/**
 * A short reason for a failed network call, for one-line messages: fetch (undici) hides the socket
 * error in `cause` (ECONNREFUSED, ENOTFOUND, "bad port"), `ws` and `net` errors carry `code`.
 */
export function describeNetworkError(err: unknown): string {
  const e = err as (Error & { code?: string; cause?: { code?: string; message?: string } }) | undefined;
  if (e?.name === 'TimeoutError') return 'timed out';
  return e?.cause?.code ?? e?.cause?.message ?? e?.code ?? e?.message ?? String(err);
}
