import { readFileSync, rmSync } from 'node:fs';
import { homeLayout, writePrivateFile } from '../config/index.ts';
import type { TunnelStatus } from '../tunnel/index.ts';

/**
 * What a running `porten run` tells `porten status` on the same machine (`run-state.json` under
 * PORTEN_HOME): the tunnel as it is, the welcome the hub sent, the models served. `status` reads it
 * instead of opening a tunnel of its own, which would replace the running agent's.
 */
export interface RunState {
  pid: number;
  hub_url: string;
  engine: string;
  upstream_url: string | undefined;
  vram_budget_mb: number;
  vram_budget_source: string;
  started_at: string;
  updated_at: string;
  tunnel: TunnelStatus;
}

export function writeRunState(home: string, state: RunState): void {
  writePrivateFile(homeLayout(home).runState, `${JSON.stringify(state, null, 2)}\n`);
}

/** The state of the agent running from this PORTEN_HOME, or undefined when none runs (a stale file is ignored). */
export function readRunState(home: string): RunState | undefined {
  let state: RunState;
  try {
    state = JSON.parse(readFileSync(homeLayout(home).runState, 'utf8')) as RunState;
  } catch {
    return undefined;
  }
  if (typeof state?.pid !== 'number' || !isAlive(state.pid)) return undefined;
  return state;
}

export function removeRunState(home: string): void {
  rmSync(homeLayout(home).runState, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by another user
  }
}
