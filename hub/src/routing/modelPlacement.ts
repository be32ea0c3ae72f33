import type { Redis } from 'ioredis';
import type { HubConfig } from '../config/index.ts';
import type { Logger } from '@porten/shared/log';
import type { LoadPhase, LoadProgressMessage } from '@porten/shared/protocol';
import type { CatalogModel } from '../store/index.ts';
import type { TunnelRegistry } from '../tunnel/index.ts';
import type { Candidate } from './selectCandidates.ts';

/** How an on-demand load ended, for the router. */
export type LoadOutcome = { kind: 'ready'; candidate: Candidate } | { kind: 'failed'; failed: string[] } | { kind: 'timeout' };

export interface WarmingStatus {
  model: string;
  ready: boolean;
  phase: LoadPhase | 'idle';
  done_mb: number;
  total_mb: number;
  pct: number;
}

/**
 * On-demand loading and idle unloading. When no compliant node has a model loaded, the best compliant
 * node that fits is asked to load it (weights come from the hub's mirror) and the request waits up to
 * the warm-up budget. Progress is kept in Redis for the public warming endpoint — without naming the
 * node. A model nobody on this replica used for the demand window is unloaded (weights stay on disk).
 */
export class ModelPlacement {
  private readonly loading = new Map<string, number>(); // `${node}|${model}` → requested at
  private readonly lastUsed = new Map<string, number>(); // `${node}|${model}` → last dispatch
  private readonly sweeper: NodeJS.Timeout;
  private readonly config: HubConfig;
  private readonly registry: TunnelRegistry;
  private readonly redis: Redis;
  private readonly log: Logger;

  constructor(config: HubConfig, registry: TunnelRegistry, redis: Redis, log: Logger) {
    this.config = config;
    this.registry = registry;
    this.redis = redis;
    this.log = log;
    this.sweeper = setInterval(() => this.unloadIdle(), Math.min(60_000, Math.max(500, config.demandWindowMs / 4)));
    this.sweeper.unref();
  }

  markUsed(nodeId: string, modelId: string): void {
    this.lastUsed.set(`${nodeId}|${modelId}`, Date.now());
  }

  /**
   * Makes `model` loaded on one of `candidates` (all compliant, untried, best first): asks the best
   * one that has not failed to load it and waits until it is ready, the load fails (then the next
   * one), or `deadline` passes. Never throws; the router turns the outcome into a refusal.
   */
  async ensureLoaded(model: CatalogModel, candidates: Candidate[], mirrorUrl: string | null, signal: AbortSignal, deadline: number): Promise<LoadOutcome> {
    const failed: string[] = [];
    for (const target of candidates) {
      if (target.conn.closed) {
        failed.push(target.node.id);
        continue;
      }
      if (target.conn.state.loaded_models.includes(model.id)) return { kind: 'ready', candidate: { ...target, loaded: true } };
      const k = `${target.node.id}|${model.id}`;
      if (!this.loading.has(k)) {
        this.loading.set(k, Date.now());
        target.conn.send({ type: 'load', model: model.id, sha256: model.sha256, size_bytes: model.size_bytes, url: mirrorUrl });
        this.log.info('asked node to load model', { node: target.node.id, model: model.id });
      }
      const outcome = await this.waitFor(target, model.id, deadline, signal);
      if (outcome === 'timeout') return { kind: 'timeout' };
      this.loading.delete(k);
      if (outcome === 'ready') return { kind: 'ready', candidate: { ...target, loaded: true } };
      failed.push(target.node.id);
    }
    return { kind: 'failed', failed };
  }

  private waitFor(c: Candidate, modelId: string, deadline: number, signal: AbortSignal): Promise<'ready' | 'failed' | 'timeout'> {
    return new Promise((resolve) => {
      const cleanup: (() => void)[] = [];
      const finish = (v: 'ready' | 'failed' | 'timeout') => {
        for (const f of cleanup) f();
        resolve(v);
      };
      const check = () => {
        if (c.conn.state.loaded_models.includes(modelId)) finish('ready');
        else if (c.conn.closed) finish('failed');
      };
      cleanup.push(this.registry.onChange(check));
      cleanup.push(
        c.conn.onLoadProgress((m: LoadProgressMessage) => {
          if (m.model !== modelId && m.model !== '*') return;
          void this.recordProgress(m);
          if (m.phase === 'ready') {
            if (!c.conn.state.loaded_models.includes(modelId)) c.conn.state.loaded_models = [...c.conn.state.loaded_models, modelId];
            finish('ready');
          } else if (m.phase === 'failed') {
            this.log.warn('model load failed on node', { node: c.node.id, model: modelId, error: m.error });
            finish('failed');
          }
        }),
      );
      const timer = setTimeout(() => finish('timeout'), Math.max(0, deadline - Date.now()));
      cleanup.push(() => clearTimeout(timer));
      const onAbort = () => finish('timeout');
      signal.addEventListener('abort', onAbort, { once: true });
      cleanup.push(() => signal.removeEventListener('abort', onAbort));
      check();
    });
  }

  private async recordProgress(m: LoadProgressMessage): Promise<void> {
    if (m.model === '*') return;
    const status = { phase: m.phase, done_bytes: m.done_bytes, total_bytes: m.total_bytes, at: Date.now() };
    await this.redis.set(this.warmingKey(m.model), JSON.stringify(status), 'EX', 600).catch(() => undefined);
  }

  private warmingKey(model: string): string {
    return `${this.config.redisKeyPrefix}warming:${model}`;
  }

  /** Public warm-up progress. Says nothing about which node loads the model. */
  async status(model: CatalogModel): Promise<WarmingStatus> {
    const now = Date.now();
    for (const c of this.registry.all()) {
      if (c.isFresh(now, this.config.presenceTtlMs) && c.state.loaded_models.includes(model.id)) {
        const mb = Math.round((model.size_bytes ?? 0) / 1e6);
        return { model: model.id, ready: true, phase: 'ready', done_mb: mb, total_mb: mb, pct: 100 };
      }
    }
    const raw = await this.redis.get(this.warmingKey(model.id)).catch(() => null);
    if (!raw) return { model: model.id, ready: false, phase: 'idle', done_mb: 0, total_mb: Math.round((model.size_bytes ?? 0) / 1e6), pct: 0 };
    const s = JSON.parse(raw) as { phase: LoadPhase; done_bytes: number; total_bytes: number };
    const pct = s.phase === 'ready' ? 100 : s.total_bytes > 0 ? Math.floor((100 * s.done_bytes) / s.total_bytes) : 0;
    return { model: model.id, ready: false, phase: s.phase === 'ready' ? 'loading' : s.phase, done_mb: Math.round(s.done_bytes / 1e6), total_mb: Math.round(s.total_bytes / 1e6), pct };
  }

  private unloadIdle(): void {
    const now = Date.now();
    for (const c of this.registry.all()) {
      if (c.state.engine !== 'builtin') continue;
      for (const model of c.state.loaded_models) {
        const k = `${c.nodeId}|${model}`;
        const used = this.lastUsed.get(k);
        if (used === undefined) {
          this.lastUsed.set(k, now); // first seen loaded: the window starts now
          continue;
        }
        if (now - used >= this.config.demandWindowMs && c.inFlight === 0) {
          c.send({ type: 'unload', model });
          this.lastUsed.delete(k);
          this.log.info('unloading idle model', { node: c.nodeId, model });
        }
      }
    }
  }

  close(): void {
    clearInterval(this.sweeper);
  }
}
