import { CodedError } from '@porten/shared/codedError';

/**
 * The one error type of `npm run build` and `npm run build:images`. `code` is stable (tests and
 * the CLIs match on it); the message says what is wrong and what to do. The CLIs print the message
 * on one line and exit 1.
 */
export type BundleErrorCode =
  | 'bad_argument'
  | 'docker_unavailable'
  | 'mmdebstrap_unavailable'
  | 'missing_input'
  | 'command_failed'
  /** A package or the Node runtime the build copies is not installed (bootstrap fixes it). */
  | 'not_installed'
  /** esbuild failed, warned, or left imports the executable cannot load. */
  | 'bundle_failed'
  /** A file changed or does not fit while it was archived. */
  | 'archive_failed'
  /** dist/release.json (or what is recorded in it) is unreadable or invalid. */
  | 'manifest_invalid'
  /** The root package.json's version is not a release version. */
  | 'version_invalid'
  /** Another build held the lock for too long. */
  | 'lock_timeout'
  /** A caller broke a contract of this package: a bug, not a user error. */
  | 'internal';

export class BundleError extends CodedError<BundleErrorCode> {
  override readonly name = 'BundleError';
}
