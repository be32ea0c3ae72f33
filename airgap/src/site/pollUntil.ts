import { setTimeout as sleep } from 'node:timers/promises';
import { AirgapError } from '../airgapError.ts';

/**
 * Polls `check` until it returns a value other than undefined, or throws `timeout` saying what did
 * not happen and `hint` (what to look at). Errors thrown by `check` propagate at once.
 */
export async function pollUntil<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, hint: string, intervalMs = 500): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new AirgapError('timeout', `${what} did not happen within ${Math.round(timeoutMs / 1000)} s; ${hint}`);
    await sleep(intervalMs);
  }
}
