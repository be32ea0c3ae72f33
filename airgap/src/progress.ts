/**
 * Progress for long steps, on stderr: a redrawn bar on a terminal, otherwise one line when a step
 * starts and one when it ends (logs and tests stay readable). `quiet` prints nothing.
 */
export interface ProgressBar {
  advance(bytes: number): void;
  done(note?: string): void;
}

export interface Progress {
  line(text: string): void;
  bar(label: string, total: number): ProgressBar;
}

const mb = (n: number) => `${(n / 1e6).toFixed(n < 1e7 ? 1 : 0)} MB`;

export function progressTo(stream: NodeJS.WriteStream | undefined, prefix = 'portenctl'): Progress {
  const tty = stream?.isTTY === true;
  const write = (s: string) => stream?.write(s);
  return {
    line: (text) => write(`${prefix}: ${text}\n`),
    bar(label, total) {
      const started = Date.now();
      let done = 0;
      let drawn = -1;
      if (!tty) write(`${prefix}: ${label} (${mb(total)}) …\n`);
      const draw = () => {
        const pct = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 100;
        if (pct === drawn) return;
        drawn = pct;
        const width = 30;
        const filled = Math.round((pct / 100) * width);
        write(`\r${prefix}: ${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${String(pct).padStart(3)}% ${mb(done)}/${mb(total)}`);
      };
      return {
        advance(bytes) {
          done += bytes;
          if (tty) draw();
        },
        done(note) {
          const secs = ((Date.now() - started) / 1000).toFixed(1);
          if (tty) write(`\r\x1b[2K`);
          write(`${prefix}: ${label}: ${mb(done)} in ${secs} s${note ? ` (${note})` : ''}\n`);
        },
      };
    },
  };
}

export const silentProgress: Progress = { line: () => {}, bar: () => ({ advance: () => {}, done: () => {} }) };
