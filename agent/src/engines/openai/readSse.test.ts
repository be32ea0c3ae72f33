import { describe, expect, it } from 'vitest';
import { readSse } from './readSse.ts';

function streamOf(...parts: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const p of parts) controller.enqueue(enc.encode(p));
      controller.close();
    },
  });
}

async function all(body: ReadableStream<Uint8Array>): Promise<string[]> {
  const out: string[] = [];
  for await (const d of readSse(body)) out.push(d);
  return out;
}

describe('readSse', () => {
  it('yields each event’s data across arbitrary chunk boundaries, CRLF included', async () => {
    expect(await all(streamOf('data: {"a"', ':1}\n\nda', 'ta: [DONE]\r\n\r\n'))).toEqual(['{"a":1}', '[DONE]']);
  });

  it('joins multi-line data, skips comments and other fields, keeps a last event without a blank line', async () => {
    expect(await all(streamOf(': keep-alive\n\nevent: message\nid: 7\ndata: one\ndata:two\n\ndata: tail'))).toEqual(['one\ntwo', 'tail']);
  });

  it('splits multi-byte characters safely', async () => {
    const bytes = new TextEncoder().encode('data: héllo 🌍\n\n');
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (const b of bytes) c.enqueue(new Uint8Array([b]));
        c.close();
      },
    });
    expect(await all(body)).toEqual(['héllo 🌍']);
  });
});
