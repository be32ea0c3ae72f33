/**
 * The parts of the GGUF v3 file format (llama.cpp's `gguf` spec) that the writer and the reader
 * share. All integers are little-endian; strings are a u64 byte length followed by UTF-8 bytes.
 *
 *   magic "GGUF" · u32 version · u64 tensor count · u64 metadata count
 *   metadata: key (string) · u32 value type · value
 *   tensor infos: name (string) · u32 dims · u64 ne[dims] (fastest-varying first) · u32 ggml type · u64 offset
 *   padding to `general.alignment` (default 32) · tensor data, each tensor aligned the same way
 */

export const GGUF_MAGIC = 0x46554747; // "GGUF" read as a little-endian u32
export const GGUF_VERSION = 3;
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** Metadata value types, as numbered by the spec. */
export const GGUF_VALUE_TYPE = {
  u8: 0,
  i8: 1,
  u16: 2,
  i16: 3,
  u32: 4,
  i32: 5,
  f32: 6,
  bool: 7,
  string: 8,
  array: 9,
  u64: 10,
  i64: 11,
  f64: 12,
} as const;

export type GgufScalarType = Exclude<keyof typeof GGUF_VALUE_TYPE, 'array'>;

/** A metadata value with its wire type (JS numbers cannot say whether they are u32 or f32). */
export type GgufValue =
  | { type: 'string'; value: string }
  | { type: 'bool'; value: boolean }
  | { type: 'u64' | 'i64'; value: bigint }
  | { type: Exclude<GgufScalarType, 'string' | 'bool' | 'u64' | 'i64'>; value: number }
  | { type: 'array'; itemType: 'string'; value: string[] }
  | { type: 'array'; itemType: 'bool'; value: boolean[] }
  | { type: 'array'; itemType: 'u64' | 'i64'; value: bigint[] }
  | { type: 'array'; itemType: Exclude<GgufScalarType, 'string' | 'bool' | 'u64' | 'i64'>; value: number[] };

/** ggml tensor types this module writes (F32 = 0, F16 = 1); the reader reports others by number. */
export const GGML_TYPE = { f32: 0, f16: 1 } as const;
export type GgmlWritableType = keyof typeof GGML_TYPE;

/** Bytes per element of the writable types. */
export const GGML_TYPE_SIZE: Record<GgmlWritableType, number> = { f32: 4, f16: 2 };

export function alignUp(n: number, alignment: number): number {
  return Math.ceil(n / alignment) * alignment;
}
