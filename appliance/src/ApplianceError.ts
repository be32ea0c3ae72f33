/**
 * The one error type of the appliance tooling (npm start/stop/reset, the compose and site helpers).
 * `message` is the one line a user reads: what is wrong and what to do. CLIs print it and exit 1.
 */
export type ApplianceErrorCode =
  | 'tool_missing'
  | 'command_failed'
  | 'docker_unavailable'
  | 'timeout'
  | 'hub_request_failed'
  | 'site_invalid';

export class ApplianceError extends Error {
  readonly code: ApplianceErrorCode;

  constructor(code: ApplianceErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApplianceError';
    this.code = code;
  }
}
