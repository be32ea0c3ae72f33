export { writeTinyLlama, type TinyLlamaOptions } from './writeTinyLlama.ts';
export { writeGguf, type GgufTensor, type WrittenFile } from './writeGguf.ts';
export { readGgufHeader, GgufFormatError, type GgufHeader, type GgufTensorInfo, type GgufReadValue } from './readGguf.ts';
export { CHATML_TEMPLATE, SPECIAL_TOKENS } from './byteVocabulary.ts';
export type { GgufValue } from './ggufFormat.ts';
