import { randomUUID } from 'node:crypto';

/**
 * Response ids. The prefixes are part of the public contract (`chatcmpl-porten-…` in the docs); the
 * rest is 96 random bits, so ids never repeat and reveal nothing about the hub or the node. They come
 * from randomUUID, which draws on a cached entropy pool: a getrandom() call per response showed up at
 * 3 % of the hub's CPU under load (`npm run bench:hub`).
 */
function random96(): string {
  const u = randomUUID().replace(/-/g, '');
  return u.slice(0, 12) + u.slice(13, 16) + u.slice(17, 26); // skip the version and variant digits
}

export function chatCompletionId(): string {
  return `chatcmpl-porten-${random96()}`;
}

export function textCompletionId(): string {
  return `cmpl-porten-${random96()}`;
}
