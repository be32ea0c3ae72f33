import { totalmem } from 'node:os';
import { queryNvidiaGpus } from './queryNvidiaGpus.ts';
import type { VramBudget } from './types.ts';

/**
 * Share of total RAM used as the budget on a machine without an NVIDIA GPU. Models then run on the
 * CPU from RAM that the OS, the page cache and the agent also need; a quarter is left to them.
 */
export const RAM_BUDGET_SHARE = 0.75;

export interface DetectVramBudgetOptions {
  /** `PORTEN_VRAM_BUDGET_MB` as parsed by the config: a positive integer wins over detection. */
  overrideMb?: number | null;
  /** Environment for `nvidia-smi` (its PATH decides which one runs); default: the agent's. */
  env?: NodeJS.ProcessEnv;
  /** Total RAM in bytes; default: `os.totalmem()`. */
  totalRamBytes?: number;
}

/**
 * The memory the node lets loaded models use, in MiB. In order:
 *   1. the operator's override (`PORTEN_VRAM_BUDGET_MB`), as given;
 *   2. the sum of `memory.total` over every GPU `nvidia-smi` lists (models are split across GPUs);
 *   3. RAM_BUDGET_SHARE (75 %) of total RAM, rounded down.
 * Free VRAM is not used: other processes' allocations come and go, and the budget must be stable
 * for placement; an operator sharing a GPU sets the override.
 */
export async function detectVramBudget(options: DetectVramBudgetOptions = {}): Promise<VramBudget> {
  const gpus = await queryNvidiaGpus(options.env === undefined ? {} : { env: options.env });
  if (options.overrideMb != null) {
    if (!Number.isInteger(options.overrideMb) || options.overrideMb <= 0) {
      throw new RangeError(`VRAM budget override must be a positive whole number of MiB, got ${options.overrideMb}`);
    }
    return { mb: options.overrideMb, source: 'override', gpus };
  }
  if (gpus.length > 0) return { mb: gpus.reduce((sum, g) => sum + g.vram_mb, 0), source: 'nvidia', gpus };
  const ram = options.totalRamBytes ?? totalmem();
  return { mb: Math.floor((ram * RAM_BUDGET_SHARE) / 2 ** 20), source: 'ram', gpus };
}
