import { AgentError } from '../errors/index.ts';

/** One model held by the engine, as the budget sees it. */
export interface LoadedModel {
  id: string;
  memoryMb: number;
  /** ms epoch of the last load, request start or request end. */
  lastUsedAt: number;
  /** Requests running on it now; a model with any is never evicted. */
  inFlight: number;
  /** Admitted but not loaded yet: counted in the budget, never evicted. */
  loading: boolean;
}

/**
 * Which models the engine holds and how much of the VRAM budget they take: decides what to evict
 * (least recently used first) so a new model fits, and which models have been idle long enough to
 * unload. Pure bookkeeping — the caller unloads and loads on the engine, and passes the time in —
 * so every decision is testable without an engine or a clock.
 *
 * Eviction is greedy in LRU order (not the smallest set that frees enough): the models evicted are
 * always the ones least likely to be wanted again, which is what a cache should lose first.
 */
export class LoadedSet {
  readonly budgetMb: number;
  private readonly models = new Map<string, LoadedModel>();

  constructor(budgetMb: number) {
    if (!(budgetMb >= 0)) throw new RangeError(`VRAM budget must be ≥ 0 MiB, got ${budgetMb}`);
    this.budgetMb = budgetMb;
  }

  usedMb(): number {
    let used = 0;
    for (const m of this.models.values()) used += m.memoryMb;
    return used;
  }

  freeMb(): number {
    return Math.max(0, this.budgetMb - this.usedMb());
  }

  has(id: string): boolean {
    return this.models.has(id);
  }

  get(id: string): Readonly<LoadedModel> | undefined {
    return this.models.get(id);
  }

  /** Ids, least recently used first. */
  ids(): string[] {
    return this.byLastUse().map((m) => m.id);
  }

  /**
   * Reserves `memoryMb` for `id` (marked loading) and returns the ids to unload first, least
   * recently used first; they are already out of the set. A model already in the set is touched
   * and nothing is evicted. Throws AgentError `model_too_large`: not retryable when the model
   * exceeds the whole budget, retryable when models serving requests or loading hold the memory.
   * Call `loaded` when the engine has it, `remove` when loading failed.
   */
  admit(id: string, memoryMb: number, now: number): string[] {
    const present = this.models.get(id);
    if (present) {
      present.lastUsedAt = now;
      return [];
    }
    if (memoryMb > this.budgetMb) {
      throw new AgentError('model_too_large', `model ${id} needs ${memoryMb} MiB but the node's whole VRAM budget is ${this.budgetMb} MiB (PORTEN_VRAM_BUDGET_MB)`);
    }
    const evict: LoadedModel[] = [];
    let free = this.budgetMb - this.usedMb();
    for (const m of this.byLastUse()) {
      if (free >= memoryMb) break;
      if (m.inFlight > 0 || m.loading) continue;
      evict.push(m);
      free += m.memoryMb;
    }
    if (free < memoryMb) {
      const held = this.usedMb() - evict.reduce((sum, m) => sum + m.memoryMb, 0);
      throw new AgentError(
        'model_too_large',
        `model ${id} needs ${memoryMb} MiB; ${held} MiB of the ${this.budgetMb} MiB budget are held by models serving requests or loading`,
        { retryable: true },
      );
    }
    for (const m of evict) this.models.delete(m.id);
    this.models.set(id, { id, memoryMb, lastUsedAt: now, inFlight: 0, loading: true });
    return evict.map((m) => m.id);
  }

  /** The engine finished loading `id`: from now on it may be evicted. */
  loaded(id: string, now: number): void {
    const m = this.models.get(id);
    if (!m) return;
    m.loading = false;
    m.lastUsedAt = now;
  }

  remove(id: string): void {
    this.models.delete(id);
  }

  touch(id: string, now: number): void {
    const m = this.models.get(id);
    if (m) m.lastUsedAt = now;
  }

  /** A request on `id` started; the model is not evicted or idle until it ends. */
  begin(id: string, now: number): void {
    const m = this.models.get(id);
    if (!m) return;
    m.inFlight += 1;
    m.lastUsedAt = now;
  }

  end(id: string, now: number): void {
    const m = this.models.get(id);
    if (!m) return;
    m.inFlight = Math.max(0, m.inFlight - 1);
    m.lastUsedAt = now;
  }

  /** Loaded models with no request running and no use for at least `windowMs`, least recent first. */
  idle(now: number, windowMs: number): string[] {
    return this.byLastUse()
      .filter((m) => !m.loading && m.inFlight === 0 && now - m.lastUsedAt >= windowMs)
      .map((m) => m.id);
  }

  private byLastUse(): LoadedModel[] {
    return [...this.models.values()].sort((a, b) => a.lastUsedAt - b.lastUsedAt);
  }
}
