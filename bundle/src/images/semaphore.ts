import { BundleError } from '../bundleError.ts';

/** At most `slots` tasks run at once; the rest wait in call order. (Rootfs builds: 2 on 2 cores.) */
export class Semaphore {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(slots: number) {
    if (!Number.isInteger(slots) || slots < 1) throw new BundleError('internal', `Semaphore needs at least one slot, got ${slots}`);
    this.free = slots;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}
