import { open } from 'node:fs/promises';
import { GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_VALUE_TYPE, alignUp, type GgufScalarType } from './ggufFormat.ts';

export type GgufReadValue = string | number | bigint | boolean | GgufReadValue[];

export interface GgufTensorInfo {
  name: string;
  dims: number[];
  /** ggml type number (0 = F32, 1 = F16, others are quantisations). */
  type: number;
  /** Byte offset relative to the start of the data section. */
  offset: number;
}

export interface GgufHeader {
  version: number;
  metadata: Map<string, GgufReadValue>;
  tensors: GgufTensorInfo[];
  /** Absolute offset of the data section (after the header, aligned). */
  dataOffset: number;
  fileSize: number;
}

/** What makes a file unreadable as GGUF, with a message naming where it went wrong. */
export class GgufFormatError extends Error {
  override readonly name = 'GgufFormatError';
}

/** Refuses header fields larger than this (a corrupt length must not allocate gigabytes). */
const MAX_HEADER_BYTES = 512 * 1024 * 1024;
const SCALAR_SIZE: Partial<Record<GgufScalarType, number>> = { u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, f32: 4, bool: 1, u64: 8, i64: 8, f64: 8 };
const TYPE_NAMES = Object.fromEntries(Object.entries(GGUF_VALUE_TYPE).map(([k, v]) => [v, k])) as Record<number, keyof typeof GGUF_VALUE_TYPE>;

/**
 * Reads a GGUF file's header: metadata and tensor infos, without the tensor data. Throws
 * GgufFormatError for anything that is not a well-formed GGUF v2/v3 header; does not judge whether
 * an architecture's required keys are present (that is llama.cpp's business).
 */
export async function readGgufHeader(path: string): Promise<GgufHeader> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const reader = new ChunkedReader(async (position, length) => {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await file.read(buf, 0, length, position);
      return buf.subarray(0, bytesRead);
    });
    const magic = await reader.u32();
    if (magic !== GGUF_MAGIC) throw new GgufFormatError(`not a GGUF file (magic 0x${magic.toString(16)})`);
    const version = await reader.u32();
    if (version !== 2 && version !== 3) throw new GgufFormatError(`unsupported GGUF version ${version}`);
    const tensorCount = Number(await reader.u64());
    const kvCount = Number(await reader.u64());

    const metadata = new Map<string, GgufReadValue>();
    for (let i = 0; i < kvCount; i++) {
      const key = await reader.string();
      metadata.set(key, await readValue(reader, await reader.u32()));
    }
    const tensors: GgufTensorInfo[] = [];
    for (let i = 0; i < tensorCount; i++) {
      const name = await reader.string();
      const nDims = await reader.u32();
      if (nDims > 4) throw new GgufFormatError(`tensor ${name} has ${nDims} dimensions`);
      const dims: number[] = [];
      for (let d = 0; d < nDims; d++) dims.push(Number(await reader.u64()));
      tensors.push({ name, dims, type: await reader.u32(), offset: Number(await reader.u64()) });
    }
    const alignment = metadata.get('general.alignment');
    const dataOffset = alignUp(reader.position, typeof alignment === 'number' ? alignment : GGUF_DEFAULT_ALIGNMENT);
    return { version, metadata, tensors, dataOffset, fileSize: size };
  } finally {
    await file.close();
  }
}

async function readValue(r: ChunkedReader, type: number): Promise<GgufReadValue> {
  const name = TYPE_NAMES[type];
  if (name === undefined) throw new GgufFormatError(`unknown metadata value type ${type} at byte ${r.position}`);
  if (name === 'array') {
    const itemType = await r.u32();
    const count = Number(await r.u64());
    const itemName = TYPE_NAMES[itemType];
    const itemSize = itemName === undefined || itemName === 'array' ? undefined : SCALAR_SIZE[itemName];
    if (itemSize !== undefined && count * itemSize > MAX_HEADER_BYTES) throw new GgufFormatError(`metadata array of ${count} items is too large`);
    const items: GgufReadValue[] = [];
    for (let i = 0; i < count; i++) items.push(await readValue(r, itemType));
    return items;
  }
  switch (name) {
    case 'string':
      return r.string();
    case 'bool':
      return (await r.take(1))[0] !== 0;
    case 'u64':
      return r.u64();
    case 'i64':
      return (await r.take(8)).readBigInt64LE();
    case 'u8':
      return (await r.take(1)).readUInt8();
    case 'i8':
      return (await r.take(1)).readInt8();
    case 'u16':
      return (await r.take(2)).readUInt16LE();
    case 'i16':
      return (await r.take(2)).readInt16LE();
    case 'u32':
      return r.u32();
    case 'i32':
      return (await r.take(4)).readInt32LE();
    case 'f32':
      return (await r.take(4)).readFloatLE();
    case 'f64':
      return (await r.take(8)).readDoubleLE();
  }
}

/** Sequential reads over a file through a 64 KiB window. */
class ChunkedReader {
  position = 0;
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;
  private readonly readAt: (position: number, length: number) => Promise<Buffer>;

  constructor(readAt: (position: number, length: number) => Promise<Buffer>) {
    this.readAt = readAt;
  }

  async take(n: number): Promise<Buffer> {
    if (n > MAX_HEADER_BYTES) throw new GgufFormatError(`field of ${n} bytes at byte ${this.position} is too large`);
    const rel = this.position - this.windowStart;
    if (rel + n > this.window.length) {
      this.window = await this.readAt(this.position, Math.max(n, 64 * 1024));
      this.windowStart = this.position;
      if (this.window.length < n) throw new GgufFormatError(`file ends inside the header (at byte ${this.position + this.window.length})`);
    }
    const start = this.position - this.windowStart;
    this.position += n;
    return this.window.subarray(start, start + n);
  }

  async u32(): Promise<number> {
    return (await this.take(4)).readUInt32LE();
  }

  async u64(): Promise<bigint> {
    return (await this.take(8)).readBigUInt64LE();
  }

  async string(): Promise<string> {
    const len = Number(await this.u64());
    return (await this.take(len)).toString('utf8');
  }
}
