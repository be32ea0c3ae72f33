import { join } from 'node:path';

/**
 * The agent's files under PORTEN_HOME, defined once; every command uses this module.
 *
 *   credentials.json    {hub_url, node_id, credential}, mode 0600 (the directory is 0700)
 *   run-state.json      written by a running `porten run` for `porten status` (pid, tunnel, models)
 *   upstream-api-key    PORTEN_UPSTREAM_API_KEY moved out of the systemd unit by `service install`, 0600
 *   models/             the model store (unless PORTEN_MODELS_DIR says otherwise)
 */
export interface HomeLayout {
  home: string;
  credentials: string;
  runState: string;
  upstreamApiKey: string;
}

export function homeLayout(home: string): HomeLayout {
  return {
    home,
    credentials: join(home, 'credentials.json'),
    runState: join(home, 'run-state.json'),
    upstreamApiKey: join(home, 'upstream-api-key'),
  };
}
