/**
 * The image builder's one error type. `code` is stable (tests and the CLI match on it); the message
 * says what is wrong and what to do. The CLI prints the message on one line and exits 1.
 */
export type ImagesErrorCode =
  | 'bad_argument'
  | 'docker_unavailable'
  | 'mmdebstrap_unavailable'
  | 'missing_input'
  | 'command_failed';

export class ImagesError extends Error {
  readonly code: ImagesErrorCode;

  constructor(code: ImagesErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ImagesError';
    this.code = code;
  }
}
