/**
 * The base of every package's one error type (HubError, AgentError, AirgapError, BundleError): a
 * stable machine-readable `code` that tests and scripts match on, and a `message` that is the one
 * line a user reads — what is wrong and what to do. Each package maps its codes in one place (the
 * hub to HTTP statuses, the CLIs to exit codes).
 */
export class CodedError<Code extends string> extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}
