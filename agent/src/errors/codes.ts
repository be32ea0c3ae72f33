/**
 * Every error code the agent raises, with whether trying the same operation again may succeed by
 * itself (`retryable`). The one table where codes are declared; an AgentError may still override
 * `retryable` when it knows better (e.g. a failure before any output was produced).
 */
export const AGENT_ERROR_CODES = {
  /** Downloaded weights do not hash to the sha256 the hub asked for; the file was discarded. */
  model_corrupt: { retryable: false },
  /** The mirror could not be reached or the transfer kept breaking off after every retry. */
  download_failed: { retryable: true },
  /** The mirror answered with a refusal (credential rejected, blob unknown, bad request). */
  mirror_refused: { retryable: false },
  /** Not enough free disk space under the models dir for the download. */
  insufficient_disk: { retryable: false },
  /** The model cannot be fetched from a mirror (no sha256 or url in the load request, bad sha256). */
  model_unavailable: { retryable: false },
  /** The model needs more memory than the node's whole VRAM budget, or than what can be freed. */
  model_too_large: { retryable: false },
  /** The model store's index on disk cannot be read or written. */
  store_failed: { retryable: false },
  /** The engine failed to load a verified model. */
  load_failed: { retryable: false },

  // ---- command line ----
  /** Unknown command, unknown or missing flag, bad flag value (exit 2). */
  usage: { retryable: false },
  /** PORTEN_* settings are invalid; the message lists every problem (exit 2). */
  config_invalid: { retryable: false },
  /** No credential under PORTEN_HOME: `porten login` first (exit 3). */
  not_logged_in: { retryable: false },
  /** `porten login` while a credential is stored: `porten logout` first. */
  already_logged_in: { retryable: false },
  /** The hub cannot be reached (DNS, refused, timeout, TLS). */
  hub_unreachable: { retryable: true },
  /** The hub answered with an error the agent cannot act on (the hub's message is kept). */
  hub_refused: { retryable: false },
  /** An operator denied this node's enrollment. */
  enrollment_denied: { retryable: false },
  /** The enrollment code expired before an operator approved it. */
  enrollment_expired: { retryable: false },
  /** The systemd unit could not be written or enabled. */
  service_install_failed: { retryable: false },
  /** The requested feature is not built yet (e.g. the ollama engine). */
  not_implemented: { retryable: false },

  // ---- tunnel ----
  /** The hub rejected the node credential (revoked, or unknown: 401 at upgrade, close 4001) (exit 3). */
  credential_rejected: { retryable: false },
  /** Another agent connected with this node's credential and the hub kept the newer tunnel (close 4002). */
  tunnel_replaced: { retryable: false },
  /** The hub closed the tunnel for a protocol error (close 4003), e.g. an agent too old for the hub. */
  protocol_error: { retryable: false },
  /** The agent is draining: it takes no new request; the hub should send it elsewhere. */
  node_draining: { retryable: true },
  /** The node's queue is full; the hub should send the request elsewhere. */
  node_busy: { retryable: true },
  /** A paused stream buffered more than the bound while the client did not read. */
  client_too_slow: { retryable: false },
  /** The request was cancelled (the client went away); nothing is sent for it. */
  cancelled: { retryable: false },

  // ---- engines ----
  /** The request is malformed for the engine (the hub answers 400 for this exact code). */
  invalid_request: { retryable: false },
  /** The engine does not serve this model right now (not loaded, not advertised, upstream unhealthy). */
  model_not_served: { retryable: true },
  /** The engine cannot do this (e.g. an external engine asked to load weights). */
  not_supported: { retryable: false },
  /** The upstream of an external engine cannot be reached (connection refused, reset, timeout). */
  upstream_unreachable: { retryable: true },
  /** The upstream answered with an error or broke off its stream. */
  upstream_error: { retryable: true },
  /** The engine failed while running a request. */
  engine_error: { retryable: false },
  /**
   * The single executable's native payload (node-llama-cpp and its CPU binary, `porten-payload/`
   * beside the executable) is missing or incomplete, so the builtin engine cannot start.
   */
  payload_missing: { retryable: false },
  /**
   * The builtin engine's llama.cpp child process exited (crash, kill, out of memory, a GGUF that
   * aborts llama.cpp). It is restarted for the next request; a request that had already streamed
   * output is reported with `retryable: false`.
   */
  engine_exited: { retryable: true },
} as const satisfies Record<string, { retryable: boolean }>;

export type AgentErrorCode = keyof typeof AGENT_ERROR_CODES;
