import { HubError } from '../../errors/index.ts';

/** What a validator's refusal looks like to the caller. */
export interface Rejection {
  status: number;
  code: string;
  param: string | null;
  message: string;
}

/**
 * Test support for the validators' table-driven tests: runs `validate(body)` and returns the
 * HubError it throws, flattened, or null when the body is accepted. Any other error is rethrown:
 * a validator that fails with anything but a HubError has a bug.
 */
export function rejectionOf(validate: (body: unknown) => unknown, body: unknown): Rejection | null {
  try {
    validate(body);
    return null;
  } catch (err) {
    if (!(err instanceof HubError)) throw err;
    return { status: err.status, code: err.code, param: err.param, message: err.message };
  }
}
