export { collectInventory, type InventoryOptions } from './inventory.ts';
export { detectVramBudget, RAM_BUDGET_SHARE, type DetectVramBudgetOptions } from './detectVramBudget.ts';
export { freeDiskBytes } from './freeDiskBytes.ts';
export { queryNvidiaGpus, parseNvidiaSmi, NVIDIA_SMI_ARGS, type QueryGpusOptions } from './queryNvidiaGpus.ts';
export type { GpuInfo, HardwareInventory, VramBudget, VramBudgetSource } from './types.ts';
