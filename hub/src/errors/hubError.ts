import { ERROR_CODES, type ErrorCode } from './codes.ts';
import { CodedError } from '@porten/shared/codedError';

export interface HubErrorOptions {
  /** The request field at fault (OpenAI `param`), e.g. `messages[0].role`. */
  param?: string;
  /** Seconds for a Retry-After header (503/429). */
  retryAfterS?: number;
  cause?: unknown;
}

/**
 * The hub's one error type. Carries a stable `code` (see codes.ts for status and type); the HTTP
 * layer turns it into `{"error":{message,type,code,param}}` in one place (http/errorResponse.ts).
 * Messages are written for the caller: what is wrong and what to do.
 */
export class HubError extends CodedError<ErrorCode> {
  override readonly name = 'HubError';
  readonly param: string | null;
  readonly retryAfterS: number | undefined;

  constructor(code: ErrorCode, message: string, options: HubErrorOptions = {}) {
    super(code, message, options);
    this.param = options.param ?? null;
    this.retryAfterS = options.retryAfterS;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  get type(): string {
    return ERROR_CODES[this.code].type;
  }
}
