/**
 * How long a content delta may wait to share a message with the ones after it, once its stream sent
 * content less than this long ago. Every message between processes costs a write that wakes the
 * reader (engine child → agent → hub → client), and on a small machine that hand-off is most of
 * the per-token cost of a fast model; 4 ms is well under what a reader of a stream can notice and
 * only merges tokens produced faster than 250 per second. Used by the agent's tunnel frames
 * (RequestStreams) and the builtin engine's IPC (TextWindow).
 */
export const DELTA_WINDOW_MS = 4;

/**
 * Text deltas of one stream, merged and handed to `send` together: at the end of the event-loop
 * turn, or — when text was sent less than `windowMs` ago — when that window ends. The first text
 * and any after a gap of at least the window leave without waiting; none waits more than the window.
 * `flush` sends what is held now (call it before whatever must follow the text: done, an error);
 * `discard` drops it.
 */
export class TextWindow {
  private readonly send: (text: string) => void;
  private readonly windowMs: number;
  private held = '';
  private sentAt = -Infinity;
  private timer: { cancel(): void } | undefined;

  constructor(send: (text: string) => void, windowMs = DELTA_WINDOW_MS) {
    this.send = send;
    this.windowMs = windowMs;
  }

  push(text: string): void {
    this.held += text;
    this.timer ??= this.schedule();
  }

  flush(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.held === '') return;
    const text = this.held;
    this.held = '';
    this.sentAt = performance.now();
    this.send(text);
  }

  discard(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.held = '';
  }

  private schedule(): { cancel(): void } {
    const run = () => {
      this.timer = undefined;
      this.flush();
    };
    const wait = this.sentAt + this.windowMs - performance.now();
    if (wait > 0) {
      const timer = setTimeout(run, wait);
      return { cancel: () => clearTimeout(timer) };
    }
    const immediate = setImmediate(run);
    return { cancel: () => clearImmediate(immediate) };
  }
}
