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
} as const satisfies Record<string, { retryable: boolean }>;

export type AgentErrorCode = keyof typeof AGENT_ERROR_CODES;
