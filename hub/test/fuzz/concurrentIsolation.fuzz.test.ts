import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestMessage } from '@porten/shared/protocol';
import { fixtures } from '../support/fixtures.ts';
import { sseEvents } from '../support/httpClient.ts';
import { startTestHub, type TestHub } from '../support/testHub.ts';
import type { TestNode } from '../support/testNode.ts';
import { fuzzParams, fuzzTimeoutMs } from './fuzzSettings.ts';

/** The node answers with the request's own marker, word by word, so an answer names the request it belongs to. */
function echoMarker(req: RequestMessage) {
  const text = req.kind === 'chat' ? String((req.params.messages as { content: unknown }[]).at(-1)?.content) : req.kind === 'completion' ? req.params.prompt : '';
  return { kind: 'reply' as const, text: `answer for ${text} ends here`, tokenDelayMs: 3 };
}

/** The text a chat or completion response carries, streamed or whole. */
async function answerOf(res: Response, stream: boolean, chat: boolean): Promise<string> {
  if (stream) {
    return sseEvents(await res.text())
      .map((e) => {
        const choice = (e as { choices?: { delta?: { content?: string }; text?: string }[] }).choices?.[0];
        return (chat ? choice?.delta?.content : choice?.text) ?? '';
      })
      .join('');
  }
  const body = (await res.json()) as { choices: { message?: { content: string }; text?: string }[] };
  return (chat ? body.choices[0]?.message?.content : body.choices[0]?.text) ?? '';
}

/**
 * The property behind the cross-tenant leak of a client-chosen `x-request-id`: any mix of concurrent
 * requests from two orgs through one node — identical, colliding or random client ids, streamed or
 * not, chat or completion — and every answer belongs to its own request.
 */
describe('fuzz: concurrent requests never receive each other’s content', { timeout: fuzzTimeoutMs() }, () => {
  let t: TestHub;
  let node: TestNode;
  const secrets: string[] = [];

  beforeAll(async () => {
    t = await startTestHub({ HUB_KEY_MAX_CONCURRENCY: '64' });
    const f = fixtures(t);
    await f.model('m1', { capabilities: ['chat', 'completions'] });
    for (const name of ['tenant-a', 'tenant-b']) secrets.push((await f.key((await f.org(name)).id, { fleet: 'any', regions: ['eu'] })).secret);
    ({ tn: node } = await f.onlineNode((await f.org('host')).id, 'eu', 'trusted', { loadedModels: ['m1'], behaviour: echoMarker }));
  });
  afterAll(async () => {
    await node.stop();
    await t.close();
  });

  it('every answer is its own request’s, whatever ids the clients chose', async () => {
    const clientId = fc.oneof(fc.constantFrom('same', 'same', 'req_0', 'x-1'), fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/), fc.constant(undefined));
    const request = fc.record({ tenant: fc.integer({ min: 0, max: 1 }), id: clientId, header: fc.constantFrom('x-request-id', 'x-client-request-id'), stream: fc.boolean(), chat: fc.boolean() });
    await fc.assert(
      fc.asyncProperty(fc.array(request, { minLength: 2, maxLength: 24 }), fc.integer({ min: 0, max: 1e9 }), async (batch, salt) => {
        const results = await Promise.all(
          batch.map(async (r, i) => {
            const marker = `T${r.tenant}-R${i}-${salt}`;
            const body = r.chat ? { model: 'm1', stream: r.stream, messages: [{ role: 'user', content: marker }] } : { model: 'm1', stream: r.stream, prompt: marker };
            const res = await fetch(`${t.url}/v1/${r.chat ? 'chat/completions' : 'completions'}`, {
              method: 'POST',
              headers: { authorization: `Bearer ${secrets[r.tenant]}`, 'content-type': 'application/json', ...(r.id === undefined ? {} : { [r.header]: r.id }) },
              body: JSON.stringify(body),
            });
            return { marker, status: res.status, hubId: res.headers.get('x-request-id'), answer: res.status === 200 ? await answerOf(res, r.stream, r.chat) : await res.text() };
          }),
        );
        for (const r of results) {
          expect(r.status, r.answer.slice(0, 200)).toBe(200);
          expect(r.answer).toBe(`answer for ${r.marker} ends here`);
        }
        expect(new Set(results.map((r) => r.hubId)).size).toBe(batch.length);
      }),
      fuzzParams(0.5),
    );
    expect(node.duplicateIds).toEqual([]);
  });
});
