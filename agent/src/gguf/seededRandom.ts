/**
 * A small seeded generator (sfc32) for model weights. Integer arithmetic only, so a seed gives the
 * same weights — and the same file hash — on every machine and Node version. Rejected: Box–Muller
 * normals, whose Math.log/Math.cos results are not guaranteed bit-identical across platforms.
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.nextU32();
  }

  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [-1, 1). */
  nextSigned(): number {
    return this.nextU32() / 2 ** 31 - 1;
  }

  /** `n` values, uniform with standard deviation `std` (half-width std·√3). */
  fill(n: number, std: number): Float32Array {
    const out = new Float32Array(n);
    const halfWidth = std * Math.sqrt(3);
    for (let i = 0; i < n; i++) out[i] = this.nextSigned() * halfWidth;
    return out;
  }
}
