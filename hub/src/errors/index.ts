export { HubError, type HubErrorOptions } from './hubError.ts';
export { ERROR_CODES, type ErrorCode } from './codes.ts';
