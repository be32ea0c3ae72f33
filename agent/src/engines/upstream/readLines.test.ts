import { describe, expect, it } from 'vitest';
import { readLines, readNdjson, readSse } from './readLines.ts';

function streamOf(...parts: (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const p of parts) controller.enqueue(typeof p === 'string' ? enc.encode(p) : p);
      controller.close();
    },
  });
}

async function all(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const d of lines) out.push(d);
  return out;
}

describe('readLines', () => {
  it('splits on \\n, \\r\\n and \\r, even when a \\r\\n is cut between chunks, and keeps a last line without terminator', async () => {
    expect(await all(readLines(streamOf('a\r', '\nb\rc\n\nd')))).toEqual(['a', 'b', 'c', '', 'd']);
  });
});

describe('readSse', () => {
  it('yields each event’s data across arbitrary chunk boundaries, CRLF included', async () => {
    expect(await all(readSse(streamOf('data: {"a"', ':1}\n\nda', 'ta: [DONE]\r\n\r\n')))).toEqual(['{"a":1}', '[DONE]']);
  });

  it('joins multi-line data, skips comments and other fields, keeps a last event without a blank line', async () => {
    expect(await all(readSse(streamOf(': keep-alive\n\nevent: message\nid: 7\ndata: one\ndata:two\n\ndata: tail')))).toEqual(['one\ntwo', 'tail']);
  });

  it('splits multi-byte characters safely', async () => {
    const bytes = new TextEncoder().encode('data: héllo 🌍\n\n');
    expect(await all(readSse(streamOf(...[...bytes].map((b) => new Uint8Array([b])))))).toEqual(['héllo 🌍']);
  });
});

describe('readNdjson', () => {
  it('yields one JSON text per line, skipping blank lines, across chunk boundaries', async () => {
    expect(await all(readNdjson(streamOf('{"response":"The","do', 'ne":false}\n\n{"done":true}\n')))).toEqual(['{"response":"The","done":false}', '{"done":true}']);
  });
});
