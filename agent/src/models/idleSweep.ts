import type { LoadedSet } from './loadedSet.ts';

/** The demand window after which an unused model is unloaded (DESIGN: default 10 min). */
export const DEFAULT_IDLE_WINDOW_MS = 10 * 60_000;

export interface IdleSweepOptions {
  loaded: LoadedSet;
  /** Unload a model nobody used for this long; default DEFAULT_IDLE_WINDOW_MS. */
  windowMs?: number;
  /** How often to look; default a quarter of the window, between 1 s and 1 min. */
  intervalMs?: number;
  /** Unloads one idle model from the engine (it is already out of the LoadedSet); errors are the caller's to log. */
  unload(id: string): Promise<void>;
  now?: () => number;
}

export interface IdleSweep {
  /** Unloads what is idle now; resolves with the ids unloaded. */
  sweep(): Promise<string[]>;
  stop(): void;
}

/**
 * Unloads models idle past the window, on a timer that does not keep the process alive. The hub
 * also asks for unloads after its own demand window; this one covers a hub that restarted and
 * forgot, so the node does not hold memory forever. Weights stay on disk.
 */
export function startIdleSweep(options: IdleSweepOptions): IdleSweep {
  const windowMs = options.windowMs ?? DEFAULT_IDLE_WINDOW_MS;
  const now = options.now ?? Date.now;
  let running: Promise<string[]> | null = null;
  const sweep = (): Promise<string[]> => {
    running ??= (async () => {
      const unloaded: string[] = [];
      for (const id of options.loaded.idle(now(), windowMs)) {
        if (!options.loaded.idle(now(), windowMs).includes(id)) continue; // used while we unloaded others
        options.loaded.remove(id);
        await options.unload(id).then(
          () => unloaded.push(id),
          () => undefined,
        );
      }
      return unloaded;
    })().finally(() => {
      running = null;
    });
    return running;
  };
  const timer = setInterval(() => void sweep(), options.intervalMs ?? Math.min(60_000, Math.max(1_000, windowMs / 4)));
  timer.unref();
  return { sweep, stop: () => clearInterval(timer) };
}
