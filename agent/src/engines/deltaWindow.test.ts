import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, vi } from 'vitest';
import { TextWindow } from './textWindow.ts';

const tick = () => new Promise((r) => setImmediate(r));

describe('text window', () => {
  it('sends the first text at the end of the turn, merges what follows within the window, exactly and in order', async () => {
    const windowMs = 300;
    const sent: string[] = [];
    const w = new TextWindow((t) => sent.push(t), windowMs);
    const tokens = ['Hé', 'llo', '', ' wör', 'ld', ' 🌍', '\n'];
    w.push('first');
    w.push('+');
    expect(sent).toEqual([]); // not before the turn ends
    await tick();
    expect(sent).toEqual(['first+']);
    for (const t of tokens) {
      w.push(t);
      await tick();
    }
    expect(sent).toEqual(['first+']); // within the window: held
    await vi.waitFor(() => expect(sent).toEqual(['first+', tokens.join('')]), { timeout: 5 * windowMs, interval: 10 });
    await sleep(windowMs + 50);
    w.push('after a gap');
    await tick();
    expect(sent.at(-1)).toBe('after a gap');
  });

  it('flush sends what is held at once (before done or an error); discard drops it; neither sends nothing', async () => {
    const sent: string[] = [];
    const w = new TextWindow((t) => sent.push(t), 10_000);
    w.flush();
    expect(sent).toEqual([]);
    w.push('a');
    w.flush();
    w.push('b');
    w.push('c');
    w.flush();
    expect(sent).toEqual(['a', 'bc']);
    w.push('lost');
    w.discard();
    await tick();
    expect(sent).toEqual(['a', 'bc']);
  });
});
