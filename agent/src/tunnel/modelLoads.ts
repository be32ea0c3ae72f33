import type { LoadMessage, LoadProgressMessage, UnloadMessage } from '@porten/hub/protocol';
import type { Logger } from '../cli/logger.ts';
import type { Engine } from '../engines/types.ts';
import type { ModelSource } from './types.ts';

export interface ModelLoadsOptions {
  engine: Engine;
  /** The model store; undefined while this build has none (every load then fails with a clear reason). */
  models: ModelSource | undefined;
  send(frame: LoadProgressMessage): void;
  log: Logger;
}

/**
 * Answers the hub's `load` / `unload` frames: the store makes the weights local (downloading from the
 * hub's mirror and verifying them, reporting `downloading` progress), then the engine loads them
 * (`loading` → `ready`); any failure is reported as `failed` with the reason, for the hub's warm-up
 * and warming endpoint. One load per model at a time; a repeated `load` for a model already loading
 * waits on the same one. Tracks the size of what it loaded, for the capacity in heartbeats.
 */
export class ModelLoads {
  private readonly opts: ModelLoadsOptions;
  private readonly inProgress = new Map<string, Promise<void>>();
  private readonly sizes = new Map<string, number>();
  private refusing: string | undefined;

  constructor(opts: ModelLoadsOptions) {
    this.opts = opts;
  }

  /** MiB taken by models this agent loaded and the engine still reports loaded. */
  usedMb(): number {
    const loaded = new Set(this.opts.engine.loadedModels());
    let bytes = 0;
    for (const [id, size] of this.sizes) if (loaded.has(id)) bytes += size;
    return Math.ceil(bytes / 2 ** 20);
  }

  /** From now on every load fails with `reason` (the agent is draining). */
  refuse(reason: string): void {
    this.refusing = reason;
  }

  load(msg: LoadMessage): Promise<void> {
    const running = this.inProgress.get(msg.model);
    if (running) return running;
    const p = this.run(msg).finally(() => this.inProgress.delete(msg.model));
    this.inProgress.set(msg.model, p);
    return p;
  }

  async unload(msg: UnloadMessage): Promise<void> {
    try {
      await this.opts.engine.unload(msg.model);
      this.opts.log.info('model unloaded', { model: msg.model });
    } catch (err) {
      this.opts.log.warn('unload failed', { model: msg.model, err: (err as Error).message });
    }
  }

  private async run(msg: LoadMessage): Promise<void> {
    const { engine, models, send, log } = this.opts;
    const total = msg.size_bytes ?? 0;
    const failed = (error: string) => {
      log.warn('model load failed', { model: msg.model, error });
      send({ type: 'load_progress', model: msg.model, phase: 'failed', done_bytes: 0, total_bytes: total, error });
    };
    if (engine.loadedModels().includes(msg.model)) {
      send({ type: 'load_progress', model: msg.model, phase: 'ready', done_bytes: total, total_bytes: total });
      return;
    }
    if (this.refusing) return failed(this.refusing);
    if (engine.kind !== 'builtin') return failed(`the ${engine.kind} engine does not load weights; its upstream serves the models listed in PORTEN_UPSTREAM_MODELS`);
    if (!models) return failed('this agent has no model store yet, so it cannot fetch weights from the hub');
    try {
      log.info('loading model', { model: msg.model, sha256: msg.sha256 });
      const local = await models.ensureModel(msg, (p) => send({ ...p, model: msg.model }));
      send({ type: 'load_progress', model: msg.model, phase: 'loading', done_bytes: local.size_bytes, total_bytes: local.size_bytes });
      await engine.load(local);
      this.sizes.set(msg.model, local.size_bytes);
      send({ type: 'load_progress', model: msg.model, phase: 'ready', done_bytes: local.size_bytes, total_bytes: local.size_bytes });
      log.info('model ready', { model: msg.model });
    } catch (err) {
      failed((err as Error).message);
    }
  }
}
