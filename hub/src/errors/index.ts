export { HubError, type HubErrorOptions } from './HubError.ts';
export { ERROR_CODES, type ErrorCode } from './codes.ts';
