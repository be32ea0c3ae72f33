/**
 * Every error code the hub can return, with its HTTP status and OpenAI `type`. This table is the one
 * place where codes meet statuses; DESIGN.md's error table is the contract it implements.
 */
export const ERROR_CODES = {
  invalid_api_key: { status: 401, type: 'invalid_request_error' },
  invalid_admin_token: { status: 401, type: 'invalid_request_error' },
  invalid_node_credential: { status: 401, type: 'invalid_request_error' },
  insufficient_role: { status: 403, type: 'permission_error' },
  invalid_request_error: { status: 400, type: 'invalid_request_error' },
  request_too_large: { status: 413, type: 'invalid_request_error' },
  unsupported_media_type: { status: 415, type: 'invalid_request_error' },
  not_found: { status: 404, type: 'invalid_request_error' },
  conflict: { status: 409, type: 'invalid_request_error' },
  model_not_found: { status: 404, type: 'invalid_request_error' },
  model_not_allowed: { status: 403, type: 'permission_error' },
  authorization_pending: { status: 428, type: 'invalid_request_error' },
  enrollment_denied: { status: 403, type: 'permission_error' },
  enrollment_expired: { status: 410, type: 'invalid_request_error' },
  rate_limit_exceeded: { status: 429, type: 'rate_limit_error' },
  no_available_node: { status: 503, type: 'service_unavailable' },
  model_warming: { status: 503, type: 'service_unavailable' },
  node_error: { status: 502, type: 'server_error' },
  service_unavailable: { status: 503, type: 'service_unavailable' },
  schema_mismatch: { status: 503, type: 'server_error' },
  config_invalid: { status: 500, type: 'server_error' },
  internal_error: { status: 500, type: 'server_error' },
} as const satisfies Record<string, { status: number; type: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
