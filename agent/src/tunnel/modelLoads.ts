import type { LoadMessage, LoadProgressMessage, UnloadMessage } from '@porten/shared/protocol';
import type { Logger } from '@porten/shared/log';
import type { Engine } from '../engines/types.ts';
import { estimateModelMemoryMb, LoadedSet, startIdleSweep, type IdleSweep } from '../models/index.ts';
import type { ModelSource } from './types.ts';

export interface ModelLoadsOptions {
  engine: Engine;
  /** The model store; undefined when the engine loads nothing (external engines). */
  models: ModelSource | undefined;
  /** The memory loaded models may take (PORTEN_VRAM_BUDGET_MB or detected). */
  budgetMb: number;
  /** Unload a model nobody used for this long even if the hub does not ask (default: the store's 10 min). */
  idleWindowMs?: number;
  send(frame: LoadProgressMessage): void;
  log: Logger;
}

/**
 * Answers the hub's `load` / `unload` frames and keeps the engine within the VRAM budget: the store
 * makes the weights local (download from the hub's mirror, verify; it reports `downloading` and, when
 * it fails, `failed`), the least recently used idle models are unloaded until the new one fits, then
 * the engine loads it (`loading` → `ready`, or `failed` with the reason). One load per model at a
 * time: a repeated `load` waits on the one running. Requests mark their model busy (begin/end) so a
 * model serving a request is never evicted.
 */
export class ModelLoads {
  private readonly opts: ModelLoadsOptions;
  private readonly inProgress = new Map<string, Promise<void>>();
  private readonly loaded: LoadedSet;
  private readonly sweep: IdleSweep | undefined;
  private refusing: string | undefined;

  constructor(opts: ModelLoadsOptions) {
    this.opts = opts;
    this.loaded = new LoadedSet(opts.budgetMb);
    this.sweep =
      opts.engine.kind === 'builtin'
        ? startIdleSweep({ loaded: this.loaded, ...(opts.idleWindowMs ? { windowMs: opts.idleWindowMs } : {}), unload: (id) => this.unloadFromEngine(id, 'idle') })
        : undefined;
  }

  /** MiB of the budget not taken by loaded (or loading) models. */
  freeMb(): number {
    return this.loaded.freeMb();
  }

  /** From now on every load fails with `reason` (the agent is draining). */
  refuse(reason: string): void {
    this.refusing = reason;
  }

  /** A request on `model` starts / ends: it is not evicted or idle meanwhile. */
  begin(model: string): void {
    this.loaded.begin(model, Date.now());
  }

  end(model: string): void {
    this.loaded.end(model, Date.now());
  }

  load(msg: LoadMessage): Promise<void> {
    const running = this.inProgress.get(msg.model);
    if (running) return running;
    const p = this.run(msg).finally(() => this.inProgress.delete(msg.model));
    this.inProgress.set(msg.model, p);
    return p;
  }

  async unload(msg: UnloadMessage): Promise<void> {
    this.loaded.remove(msg.model);
    await this.unloadFromEngine(msg.model, 'asked by the hub');
  }

  close(): void {
    this.sweep?.stop();
  }

  private async run(msg: LoadMessage): Promise<void> {
    const { engine, models, send, log } = this.opts;
    const total = msg.size_bytes ?? 0;
    const failed = (error: string) => {
      log.warn('model load failed', { model: msg.model, error });
      send({ type: 'load_progress', model: msg.model, phase: 'failed', done_bytes: 0, total_bytes: total, error });
    };
    if (engine.loadedModels().includes(msg.model)) {
      this.loaded.touch(msg.model, Date.now());
      send({ type: 'load_progress', model: msg.model, phase: 'ready', done_bytes: total, total_bytes: total });
      return;
    }
    if (this.refusing) return failed(this.refusing);
    if (engine.kind !== 'builtin' || !models) return failed(`the ${engine.kind} engine does not load weights; its upstream serves the models listed in PORTEN_UPSTREAM_MODELS`);

    log.info('loading model', { model: msg.model, sha256: msg.sha256 });
    let local;
    try {
      local = await models.ensureModel(msg, send);
    } catch (err) {
      log.warn('model fetch failed', { model: msg.model, err: (err as Error).message }); // the store reported `failed`
      return;
    }
    try {
      for (const id of this.loaded.admit(msg.model, estimateModelMemoryMb(local.size_bytes), Date.now())) {
        await this.unloadFromEngine(id, `to make room for ${msg.model}`);
      }
    } catch (err) {
      return failed((err as Error).message);
    }
    send({ type: 'load_progress', model: msg.model, phase: 'loading', done_bytes: local.size_bytes, total_bytes: local.size_bytes });
    try {
      await engine.load(local);
    } catch (err) {
      this.loaded.remove(msg.model);
      return failed((err as Error).message);
    }
    this.loaded.loaded(msg.model, Date.now());
    send({ type: 'load_progress', model: msg.model, phase: 'ready', done_bytes: local.size_bytes, total_bytes: local.size_bytes });
    log.info('model ready', { model: msg.model });
  }

  private async unloadFromEngine(id: string, why: string): Promise<void> {
    try {
      await this.opts.engine.unload(id);
      this.opts.log.info('model unloaded', { model: id, why });
    } catch (err) {
      this.opts.log.warn('unload failed', { model: id, err: (err as Error).message });
    }
  }
}
