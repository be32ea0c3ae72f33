import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtures } from '../test/support/fixtures.ts';
import { sseEvents } from '../test/support/httpClient.ts';
import { startTestHub, type TestHub } from '../test/support/testHub.ts';
import type { TestNode } from '../test/support/testNode.ts';

/** Graceful stop (first SIGTERM): requests in flight finish on their nodes before the tunnels close. */
describe('hub graceful stop', () => {
  let t: TestHub;
  let tn: TestNode;
  let secret: string;

  beforeAll(async () => {
    t = await startTestHub({ HUB_DRAIN_TIMEOUT_MS: '10000' });
    const f = fixtures(t);
    const org = (await f.org('drain-org')).id;
    await f.model('m1');
    secret = (await f.key(org)).secret;
    ({ tn } = await f.onlineNode(org, 'eu', 'trusted', {
      loadedModels: ['m1'],
      behaviour: () => ({ kind: 'reply', text: 'one two three four five six seven eight', tokenDelayMs: 60 }),
    }));
  });
  afterAll(async () => {
    await tn.stop();
    await t.close();
  });

  it('lets a streaming request finish, then closes the tunnels and stops', async () => {
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm1', messages: [{ role: 'user', content: 'x' }], stream: true }),
    });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value); // the first byte has arrived
    const tunnelClosed = tn.waitClosed(15_000);
    const stopped = t.hub.close();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    const events = sseEvents(text);
    expect(events.at(-1)).toBe('[DONE]');
    const content = events.flatMap((e) => (typeof e === 'object' && e !== null ? [(e as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? ''] : [])).join('');
    expect(content).toBe('one two three four five six seven eight');
    expect(tn.cancelled).toEqual([]);
    await stopped;
    expect(await tunnelClosed).toBe(4004);
    await expect(fetch(`${t.url}/healthz`)).rejects.toThrow();
  });
});
