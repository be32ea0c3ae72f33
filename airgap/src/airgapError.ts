import { CodedError } from '@porten/shared/codedError';

/**
 * The one error type of `portenctl` and the site runtime it shares with the quick start. `message` is the one line a user reads: what is wrong
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
  | 'install_failed'
  // the site runtime (src/site/): Compose, the platform's health, the admin API
  | 'tool_missing'
  | 'command_failed'
  | 'timeout'
  | 'hub_request_failed'
  | 'site_invalid';

export class AirgapError extends CodedError<AirgapErrorCode> {
  override readonly name = 'AirgapError';
}
