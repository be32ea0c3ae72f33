import { describe, expect, it } from 'vitest';
import { SSE_DONE, sseEvent } from './sse.ts';

describe('sseEvent', () => {
  it('frames one JSON payload as a data event', () => {
    expect(sseEvent({ a: 'x\ny' })).toBe('data: {"a":"x\\ny"}\n\n');
    expect(SSE_DONE).toBe('data: [DONE]\n\n');
  });
});
