import type { LoadMessage, LoadProgressMessage, WelcomeMessage } from '@porten/shared/protocol';
import type { LocalModel } from '../engines/types.ts';

/**
 * What the tunnel client needs from the model store (agent/src/models, `ModelStore`) to answer
 * `load` frames: make the weights named by the hub available on local disk — downloaded from the
 * hub's mirror and sha256-verified when missing — reporting `downloading` progress and, when it
 * rejects, `failed` with the reason, as `load_progress` frames forwarded to the hub as they are.
 */
export interface ModelSource {
  ensureModel(load: LoadMessage, onProgress: (progress: LoadProgressMessage) => void): Promise<LocalModel>;
}

/** The tunnel as `porten status` and the logs describe it. */
export interface TunnelStatus {
  connected: boolean;
  /** The hub's last `welcome`, with name, region and trust class updated by each `assignment`: the node's identity as the operator assigned it. */
  welcome: WelcomeMessage | undefined;
  /** Since when the current tunnel is up (ms epoch). */
  connected_at: number | undefined;
  /** Why the last connection attempt or tunnel failed. */
  last_error: string | undefined;
  draining: boolean;
  in_flight: number;
  queue_depth: number;
  loaded_models: string[];
}
