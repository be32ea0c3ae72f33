import { describe, expect, it } from 'vitest';
import { chatCompletionId, textCompletionId } from './responseIds.ts';

describe('response ids', () => {
  it('carry the documented prefixes and never repeat', () => {
    expect(chatCompletionId()).toMatch(/^chatcmpl-porten-[0-9a-f]{24}$/);
    expect(textCompletionId()).toMatch(/^cmpl-porten-[0-9a-f]{24}$/);
    expect(new Set(Array.from({ length: 100 }, chatCompletionId)).size).toBe(100);
  });
});
