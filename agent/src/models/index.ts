export { ModelStore } from './ModelStore.ts';
export type { ModelIndexEntry, ModelStoreOptions, ProgressListener } from './types.ts';
