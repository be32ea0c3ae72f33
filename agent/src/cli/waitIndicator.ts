import { text } from './text.ts';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
/** Without a terminal, a plain progress line this often (logs and CI output stay short). */
const PLAIN_EVERY_MS = 30_000;

export interface WaitIndicator {
  /** A note shown beside the countdown (e.g. the hub is unreachable); '' clears it. */
  note(note: string): void;
  stop(): void;
}

/**
 * Shows that `porten login` is waiting for approval, with the time left: a spinner redrawn in place
 * on a terminal; plain lines (at start, every 30 s and when the note changes) otherwise.
 */
export function startWaitIndicator(stream: { write(s: string): void; isTTY: boolean }, deadline: number): WaitIndicator {
  let current = '';
  let frame = 0;
  const left = () => {
    const s = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  };
  const draw = () => {
    if (stream.isTTY) stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${text.waiting(left(), current)}`);
    else stream.write(`${text.waiting(left(), current)}\n`);
  };
  draw();
  const timer = setInterval(draw, stream.isTTY ? 100 : PLAIN_EVERY_MS);
  timer.unref();
  return {
    note(note) {
      if (note === current) return;
      current = note;
      if (!stream.isTTY) draw();
    },
    stop() {
      clearInterval(timer);
      if (stream.isTTY) stream.write('\r\x1b[2K');
    },
  };
}
