/**
 * Yields the lines of a text body in order, without their terminators (`\n`, `\r\n` or `\r`),
 * across arbitrary chunk boundaries and multi-byte characters; a last line without a terminator
 * is yielded too. Framing only, shared by the SSE and NDJSON readers below.
 */
export async function* readLines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = body.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = buffer.search(/\r?\n|\r/)) >= 0) {
        // A `\r` that ends the buffer may be the first half of a `\r\n` still in flight.
        if (buffer[nl] === '\r' && nl === buffer.length - 1 && !done) break;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + (buffer[nl] === '\r' && buffer[nl + 1] === '\n' ? 2 : 1));
        yield line;
      }
      if (done) break;
    }
    if (buffer !== '') yield buffer;
  } finally {
    reader.releaseLock();
  }
}

/**
 * Yields the `data` of each server-sent event in `body`, in order (multi-line data joined with
 * `\n`; comments, `event:` and `id:` fields ignored). Ends when the body ends. Framing only: the
 * caller decides what `[DONE]` or an error payload means.
 */
export async function* readSse(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  let data: string[] = [];
  for await (const line of readLines(body)) {
    if (line === '') {
      if (data.length > 0) yield data.join('\n');
      data = [];
    } else if (line.startsWith('data:')) {
      data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
    }
  }
  if (data.length > 0) yield data.join('\n');
}

/** Yields each non-blank line of a newline-delimited JSON body (Ollama's streams), in order. */
export async function* readNdjson(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  for await (const line of readLines(body)) if (line.trim() !== '') yield line;
}
