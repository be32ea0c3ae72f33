import { createHash, randomBytes } from 'node:crypto';

/** Secret prefixes, so a leaked string says what it is (and secret scanners can find it). */
export const SECRET_PREFIX = { apiKey: 'sk-porten-', adminToken: 'porten-admin-', node: 'porten-node-', poll: 'porten-poll-' } as const;

/** 192 random bits, base64url, behind a prefix. */
export function generateSecret(prefix: string): string {
  return prefix + randomBytes(24).toString('base64url');
}

/** Secrets are high-entropy, so a plain sha256 is enough to store them; a slow KDF would only add latency. */
export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}
