import { describe, expect, it } from 'vitest';
import { HubError } from '../errors/index.ts';
import { ggufHeaderBytes } from '../../test/support/mirrorTestSupport.ts';
import { parseGgufHeader } from './ggufHeader.ts';

function refusal(head: Buffer): string {
  try {
    parseGgufHeader(head);
  } catch (err) {
    expect(err).toBeInstanceOf(HubError);
    expect((err as HubError).code).toBe('invalid_request_error');
    return (err as HubError).message;
  }
  throw new Error('accepted');
}

describe('parseGgufHeader', () => {
  it('reads version, tensor count and metadata count (little-endian)', () => {
    expect(parseGgufHeader(ggufHeaderBytes({ version: 3, tensors: 291, kvs: 24 }))).toEqual({ version: 3, tensorCount: 291n, kvCount: 24n });
    expect(parseGgufHeader(ggufHeaderBytes({ version: 2 })).version).toBe(2);
  });

  it('refuses what is not a GGUF model, saying why', () => {
    expect(refusal(Buffer.from('GGUF'))).toMatch(/4 bytes long/);
    expect(refusal(Buffer.from('{"id":"llama","format":"gguf"}'))).toMatch(/starts with "\{\\"id" .*instead of the magic "GGUF"/);
    expect(refusal(ggufHeaderBytes({ version: 1 }))).toMatch(/version 1 is not supported/);
    expect(refusal(ggufHeaderBytes({ version: 0x03000000 }))).toMatch(/version 50331648/); // a big-endian writer
    expect(refusal(ggufHeaderBytes({ kvs: 0 }))).toMatch(/0 metadata entries/);
    expect(refusal(ggufHeaderBytes({ tensors: 2 ** 40 }))).toMatch(/damaged/);
  });
});
