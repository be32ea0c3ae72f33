/**
 * Memory a loaded GGUF takes beyond its file size: llama.cpp maps the weights and adds the KV cache
 * and compute buffers, about 10–20 % of the weights at the default context for small and mid-size
 * models. 1.2 errs on the side of evicting one model too many rather than failing to load.
 */
export const MEMORY_FACTOR = 1.2;

/**
 * MiB a model needs once loaded: the catalog's `memory_mb` when the operator set one (> 0), else
 * the weights' file size × MEMORY_FACTOR, rounded up. (The hub's `load` frame does not carry
 * `memory_mb` yet; callers pass it when they have it.)
 */
export function estimateModelMemoryMb(sizeBytes: number, catalogMemoryMb?: number | null, factor = MEMORY_FACTOR): number {
  if (catalogMemoryMb != null && catalogMemoryMb > 0) return Math.ceil(catalogMemoryMb);
  return Math.ceil((sizeBytes * factor) / 2 ** 20);
}
