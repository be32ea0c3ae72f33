/**
 * Streams generated text while watching for stop sequences: text that could still be the start of
 * a stop sequence is held back until it is clear either way, so a client never sees any part of a
 * stop sequence (OpenAI semantics: the stop sequence itself is not returned).
 */
export class StopSequenceFilter {
  private readonly stops: string[];
  private text = '';
  private emitted = 0;
  stopped = false;

  constructor(stops: string[]) {
    this.stops = stops.filter((s) => s !== '');
  }

  /** Adds generated text; returns what may be shown now ('' when everything is held back). */
  push(chunk: string): string {
    if (this.stopped) return '';
    this.text += chunk;
    const longest = this.stops.reduce((m, s) => Math.max(m, s.length), 0);
    const searchFrom = Math.max(0, this.emitted - longest + 1);
    let hit = -1;
    for (const s of this.stops) {
      const at = this.text.indexOf(s, searchFrom);
      if (at !== -1 && (hit === -1 || at < hit)) hit = at;
    }
    if (hit !== -1) {
      this.stopped = true;
      return this.take(Math.max(hit, this.emitted));
    }
    return this.take(this.text.length - this.heldSuffix());
  }

  /** Generation ended without a stop sequence: whatever was held back is text after all. */
  flush(): string {
    return this.stopped ? '' : this.take(this.text.length);
  }

  private take(end: number): string {
    if (end <= this.emitted) return '';
    const out = this.text.slice(this.emitted, end);
    this.emitted = end;
    return out;
  }

  /** Length of the longest suffix of the text that is a proper prefix of some stop sequence. */
  private heldSuffix(): number {
    let held = 0;
    for (const s of this.stops) {
      for (let n = Math.min(s.length - 1, this.text.length); n > held; n--) {
        if (this.text.endsWith(s.slice(0, n))) {
          held = n;
          break;
        }
      }
    }
    return held;
  }
}
