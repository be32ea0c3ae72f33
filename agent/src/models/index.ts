export { ModelStore } from './modelStore.ts';
export { LoadedSet, type LoadedModel } from './loadedSet.ts';
export { estimateModelMemoryMb, MEMORY_FACTOR } from './estimateModelMemory.ts';
export { startIdleSweep, DEFAULT_IDLE_WINDOW_MS, type IdleSweep, type IdleSweepOptions } from './idleSweep.ts';
export type { ModelIndexEntry, ModelStoreOptions, ProgressListener } from './types.ts';
