import { HubError } from '../errors/index.ts';

/**
 * The error for "PostgreSQL did not do what the audit log asked". HubErrors (bad input) pass through
 * unchanged; anything else becomes `service_unavailable`, keeping the driver's error as `cause` for logs.
 */
export function storeUnavailable(err: unknown, consequence: string): HubError {
  if (err instanceof HubError) return err;
  return new HubError('service_unavailable', `the audit store cannot be reached, so ${consequence}`, { cause: err });
}
