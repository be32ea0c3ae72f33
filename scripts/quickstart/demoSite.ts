import type { Json } from '@porten/airgap/site/adminClient';

export const DEMO = {
  org: 'demo',
  region: 'eu',
  trust: 'trusted',
  model: 'demo-chat',
  keyName: 'sovereign demo key',
  nodeName: 'node-1', // compose/node.yml's default PORTEN_NODE_NAME
} as const;

export interface ChatOutcome {
  status: number;
  body: Json;
  node: string | null;
  region: string | null;
}

/** One chat completion with an API key, as any OpenAI client sends it. */
export async function sendChat(hubUrl: string, apiKey: string, model: string, content: string, maxTokens = 24): Promise<ChatOutcome> {
  const res = await fetch(`${hubUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }], max_tokens: maxTokens, seed: 7 }),
  });
  return { status: res.status, body: await res.json().catch(() => null), node: res.headers.get('x-porten-node'), region: res.headers.get('x-porten-region') };
}
