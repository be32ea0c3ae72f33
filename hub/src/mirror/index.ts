export { BlobStore, SHA256_PATTERN, type PutOptions, type PutResult } from './blobStore.ts';
export { parseGgufHeader, GGUF_HEADER_BYTES, type GgufHeader } from './ggufHeader.ts';
export { parseImportFields } from './importFields.ts';
export { importModel, estimateMemoryMb, type ImportFields, type ImportResult, type ImportTarget } from './importModel.ts';
export { createMirrorRouter, MIRROR_PATH } from './mirrorRouter.ts';
