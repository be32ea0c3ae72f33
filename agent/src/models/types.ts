import type { LoadProgressMessage } from '@porten/shared/protocol';

/** Receives load progress for the hub (the tunnel client forwards it as `load_progress`). */
export type ProgressListener = (progress: LoadProgressMessage) => void;

/** One catalog id the store knows, as kept in its index. */
export interface ModelIndexEntry {
  id: string;
  sha256: string;
  size_bytes: number;
  /** ISO time of the last ensureModel or touch for this id. */
  last_used_at: string;
}

export interface ModelStoreOptions {
  /** The models dir (`$PORTEN_HOME/models`); created when missing. */
  dir: string;
  /** The node credential, sent as `Authorization: Bearer` to the hub's mirror. */
  credential: string;
  /** Least time between two `downloading` progress reports (unless 1 % more arrived). Default 250. */
  progressIntervalMs?: number;
  /** Transfer attempts in a row that may fail without any new byte before giving up. Default 5. */
  maxFailuresWithoutProgress?: number;
  /** Wait before the n-th retry: n × this. Default 500. */
  retryDelayMs?: number;
  /** A transfer that receives no byte for this long is cut and resumed. Default 30 000. */
  stallTimeoutMs?: number;
  /** Free space kept on the disk beyond the download itself. Default 64 MiB. */
  diskReserveBytes?: number;
  /** Free bytes on the models dir's filesystem; default statfs. Tests substitute it. */
  freeDiskBytes?: (dir: string) => Promise<number>;
}
