/**
 * The one error type of `portenctl airgap`. `message` is the one line a user reads: what is wrong
 * and what to do. `code` is stable (tests and scripts match on it); the CLI prints the message and
 * exits 1 (2 for usage errors).
 */
export type AirgapErrorCode =
  | 'usage'
  | 'key_invalid'
  | 'release_invalid'
  | 'docker_unavailable'
  | 'bundle_unreadable'
  | 'part_missing'
  | 'signature_invalid'
  | 'checksum_mismatch'
  | 'file_unlisted'
  | 'file_missing'
  | 'expired'
  | 'downgrade'
  | 'preflight_failed'
  | 'install_failed';

export class AirgapError extends Error {
  readonly code: AirgapErrorCode;

  constructor(code: AirgapErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AirgapError';
    this.code = code;
  }
}
