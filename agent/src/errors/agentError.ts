import { AGENT_ERROR_CODES, type AgentErrorCode } from './codes.ts';
import { CodedError } from '@porten/shared/codedError';

export interface AgentErrorOptions {
  /** Overrides the code's default from codes.ts. */
  retryable?: boolean;
  cause?: unknown;
}

/**
 * The agent's one error type. Carries a stable string `code` (declared in codes.ts) and whether a
 * retry may succeed. Messages are written for whoever reads them (an operator in a log line, or
 * the hub's warming endpoint): what is wrong and, where known, what to do.
 */
export class AgentError extends CodedError<AgentErrorCode> {
  override readonly name = 'AgentError';
  readonly retryable: boolean;

  constructor(code: AgentErrorCode, message: string, options: AgentErrorOptions = {}) {
    super(code, message, options);
    this.retryable = options.retryable ?? AGENT_ERROR_CODES[code].retryable;
  }
}

export function isAgentError(err: unknown, code?: AgentErrorCode): err is AgentError {
  return err instanceof AgentError && (code === undefined || err.code === code);
}
