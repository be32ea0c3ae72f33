import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import {
  GGML_TYPE,
  GGML_TYPE_SIZE,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_VALUE_TYPE,
  GGUF_VERSION,
  alignUp,
  type GgmlWritableType,
  type GgufScalarType,
  type GgufValue,
} from './ggufFormat.ts';

export interface GgufTensor {
  name: string;
  /** ggml order: ne[0] is the fastest-varying dimension (a matrix's row length). */
  dims: number[];
  type: GgmlWritableType;
  /** Elements in ggml order; `dims` multiplied together long. F16 tensors are converted on write. */
  data: Float32Array;
}

export interface WrittenFile {
  path: string;
  sha256: string;
  size_bytes: number;
}

/**
 * Writes a GGUF v3 file: metadata in the order given, then the tensor infos and the tensor data,
 * every tensor aligned to `general.alignment` (32 unless the metadata says otherwise). The output is
 * a pure function of the arguments, so a seeded generator gives byte-identical files.
 */
export async function writeGguf(path: string, metadata: [string, GgufValue][], tensors: GgufTensor[]): Promise<WrittenFile> {
  const alignmentKv = metadata.find(([k]) => k === 'general.alignment')?.[1];
  const alignment = alignmentKv?.type === 'u32' ? alignmentKv.value : GGUF_DEFAULT_ALIGNMENT;

  const head = new ByteWriter();
  head.u32(GGUF_MAGIC);
  head.u32(GGUF_VERSION);
  head.u64(BigInt(tensors.length));
  head.u64(BigInt(metadata.length));
  for (const [key, value] of metadata) {
    head.string(key);
    writeValue(head, value);
  }

  let offset = 0;
  const placed = tensors.map((t) => {
    const elements = t.dims.reduce((a, b) => a * b, 1);
    if (elements !== t.data.length) throw new Error(`tensor ${t.name}: dims ${t.dims.join('x')} need ${elements} elements, got ${t.data.length}`);
    const at = offset;
    offset = alignUp(at + elements * GGML_TYPE_SIZE[t.type], alignment);
    return { tensor: t, at };
  });
  for (const { tensor, at } of placed) {
    head.string(tensor.name);
    head.u32(tensor.dims.length);
    for (const d of tensor.dims) head.u64(BigInt(d));
    head.u32(GGML_TYPE[tensor.type]);
    head.u64(BigInt(at));
  }
  const headBytes = head.finish();
  const dataStart = alignUp(headBytes.length, alignment);

  const hash = createHash('sha256');
  const file = await open(path, 'w');
  try {
    let position = 0;
    const write = async (buf: Uint8Array) => {
      hash.update(buf);
      await file.write(buf, 0, buf.length, position);
      position += buf.length;
    };
    await write(headBytes);
    await write(new Uint8Array(dataStart - headBytes.length));
    for (const { tensor, at } of placed) {
      await write(new Uint8Array(dataStart + at - position));
      await write(tensorBytes(tensor));
    }
    await write(new Uint8Array(dataStart + offset - position));
    return { path, sha256: hash.digest('hex'), size_bytes: position };
  } finally {
    await file.close();
  }
}

function tensorBytes(t: GgufTensor): Uint8Array {
  if (t.type === 'f32') return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  const out = new Uint16Array(t.data.length);
  for (let i = 0; i < t.data.length; i++) out[i] = toHalf(t.data[i]!);
  return new Uint8Array(out.buffer);
}

/** IEEE 754 binary16 (round to nearest even), for F16 tensors. */
function toHalf(value: number): number {
  const f = new Float32Array([value]);
  const x = new Uint32Array(f.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rest = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rest > mid || (rest === mid && (half & 1))) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1))) half++;
  return sign | half;
}

function writeValue(w: ByteWriter, v: GgufValue): void {
  w.u32(GGUF_VALUE_TYPE[v.type]);
  if (v.type !== 'array') {
    writeScalar(w, v.type, v.value);
    return;
  }
  w.u32(GGUF_VALUE_TYPE[v.itemType]);
  w.u64(BigInt(v.value.length));
  for (const item of v.value) writeScalar(w, v.itemType, item);
}

function writeScalar(w: ByteWriter, type: GgufScalarType, value: string | number | bigint | boolean): void {
  switch (type) {
    case 'string':
      return w.string(value as string);
    case 'bool':
      return w.bytes(Uint8Array.of(value ? 1 : 0));
    case 'u64':
      return w.u64(value as bigint);
    case 'i64':
      return w.view(8, (d) => d.setBigInt64(0, value as bigint, true));
    case 'u8':
      return w.view(1, (d) => d.setUint8(0, value as number));
    case 'i8':
      return w.view(1, (d) => d.setInt8(0, value as number));
    case 'u16':
      return w.view(2, (d) => d.setUint16(0, value as number, true));
    case 'i16':
      return w.view(2, (d) => d.setInt16(0, value as number, true));
    case 'u32':
      return w.u32(value as number);
    case 'i32':
      return w.view(4, (d) => d.setInt32(0, value as number, true));
    case 'f32':
      return w.view(4, (d) => d.setFloat32(0, value as number, true));
    case 'f64':
      return w.view(8, (d) => d.setFloat64(0, value as number, true));
  }
}

/** Appends little-endian fields to a growing list of chunks. */
class ByteWriter {
  private readonly chunks: Uint8Array[] = [];

  view(size: number, set: (d: DataView) => void): void {
    const buf = new Uint8Array(size);
    set(new DataView(buf.buffer));
    this.chunks.push(buf);
  }

  bytes(b: Uint8Array): void {
    this.chunks.push(b);
  }

  u32(n: number): void {
    this.view(4, (d) => d.setUint32(0, n, true));
  }

  u64(n: bigint): void {
    this.view(8, (d) => d.setBigUint64(0, n, true));
  }

  string(s: string): void {
    const b = new TextEncoder().encode(s);
    this.u64(BigInt(b.length));
    this.bytes(b);
  }

  finish(): Uint8Array {
    return Buffer.concat(this.chunks);
  }
}
