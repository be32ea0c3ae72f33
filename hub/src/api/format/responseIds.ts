import { randomBytes } from 'node:crypto';

/**
 * Response ids. The prefixes are part of the public contract (`chatcmpl-porten-…` in the docs); the
 * rest is 96 random bits, so ids never repeat and reveal nothing about the hub or the node.
 */
export function chatCompletionId(): string {
  return `chatcmpl-porten-${randomBytes(12).toString('hex')}`;
}

export function textCompletionId(): string {
  return `cmpl-porten-${randomBytes(12).toString('hex')}`;
}
