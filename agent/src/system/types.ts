/** One GPU as `nvidia-smi` reports it. */
export interface GpuInfo {
  name: string;
  vram_mb: number;
}

/**
 * The machine as the agent describes it to the hub at enrollment (informational for the operator:
 * the hub never derives region or trust from it).
 */
export interface HardwareInventory {
  hostname: string;
  os: { platform: string; release: string; arch: string; distro: string | null };
  cpu: { model: string; cores: number };
  memory_mb: number;
  gpus: GpuInfo[];
}

/** Where the VRAM budget came from; `porten status` shows it. */
export type VramBudgetSource = 'override' | 'nvidia' | 'ram';

export interface VramBudget {
  mb: number;
  source: VramBudgetSource;
  gpus: GpuInfo[];
}
