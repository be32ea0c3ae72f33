import type { ChatParams, RequestMessage, SamplingParams } from '@porten/shared/protocol';
import { AgentError } from '../../errors/index.ts';

/**
 * The Ollama native API path and JSON body for one hub request (OpenAI-shaped params), addressed to
 * the daemon's name for the model, as documented in Ollama's docs/api.md:
 *   chat        → POST /api/chat     {model, messages, tools?, format?, options?, stream: true}
 *   completion  → POST /api/generate {model, prompt, options?, stream: true} (the model's template applies, as Ollama does by default)
 *   embedding   → POST /api/embed    {model, input: [...]}
 * Sampling settings go in `options` (`max_tokens` is `num_predict`). What Ollama cannot express
 * is refused with `invalid_request` (the client gets 400) rather than silently dropped.
 */
export function ollamaRequest(request: RequestMessage, model: string): { path: string; body: Record<string, unknown> } {
  switch (request.kind) {
    case 'chat':
      return { path: '/api/chat', body: chatBody(request.params, model) };
    case 'completion':
      return { path: '/api/generate', body: { model, prompt: request.params.prompt, stream: true, ...optionsOf(request.params) } };
    case 'embedding':
      return { path: '/api/embed', body: { model, input: request.params.input } };
  }
}

function chatBody(p: ChatParams, model: string): Record<string, unknown> {
  const tools = toolsOf(p);
  const format = formatOf(p.response_format);
  return {
    model,
    messages: ollamaMessages(p.messages),
    stream: true,
    ...(tools ? { tools } : {}),
    ...(format !== undefined ? { format } : {}),
    ...optionsOf(p),
  };
}

function optionsOf(p: SamplingParams & { max_tokens?: number }): { options?: Record<string, unknown> } {
  const all: Record<string, unknown> = {
    temperature: p.temperature,
    top_p: p.top_p,
    seed: p.seed,
    num_predict: p.max_tokens,
    stop: p.stop,
    presence_penalty: p.presence_penalty,
    frequency_penalty: p.frequency_penalty,
  };
  const options = Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
  return Object.keys(options).length > 0 ? { options } : {};
}

/** OpenAI tool definitions have Ollama's shape already; `tool_choice` "none" sends none. Ollama cannot force a call. */
function toolsOf(p: ChatParams): unknown[] | undefined {
  const choice = p.tool_choice;
  if (choice === 'none') return undefined;
  if (choice !== undefined && choice !== 'auto') {
    throw invalid(`tool_choice ${JSON.stringify(choice)} cannot be honoured by the Ollama engine, which cannot force a tool call; use "auto" or "none"`);
  }
  return Array.isArray(p.tools) && p.tools.length > 0 ? p.tools : undefined;
}

/** `response_format` → Ollama's `format`: "json" for JSON mode, the schema itself for structured outputs. */
function formatOf(v: unknown): unknown {
  if (v === undefined || v === null) return undefined;
  const type = isObj(v) ? v.type : undefined;
  if (type === 'text') return undefined;
  if (type === 'json_object') return 'json';
  if (type === 'json_schema' && isObj(v) && isObj(v.json_schema) && isObj(v.json_schema.schema)) return v.json_schema.schema;
  throw invalid('response_format must be {"type":"text"}, {"type":"json_object"} or {"type":"json_schema","json_schema":{"schema":{…}}}');
}

interface OllamaMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  images?: string[];
  tool_calls?: { function: { name: string; arguments: Record<string, unknown> } }[];
  tool_name?: string;
}

/**
 * OpenAI chat messages → Ollama messages: content parts become `content` (text parts joined by a
 * newline) and `images` (base64 data: URLs only — the node fetches nothing); assistant tool calls
 * carry their arguments as an object, not a JSON string; a tool result names its tool
 * (`tool_name`, found through `tool_call_id`); `developer` is a system message.
 */
export function ollamaMessages(messages: unknown[]): OllamaMessage[] {
  const toolNames = new Map<string, string>();
  return messages.map((m, i) => {
    const where = `messages[${i}]`;
    if (!isObj(m)) throw invalid(`${where} is not an object`);
    const role = m.role === 'developer' ? 'system' : m.role;
    if (role !== 'system' && role !== 'user' && role !== 'assistant' && role !== 'tool') {
      throw invalid(`${where}.role ${JSON.stringify(m.role)} is not one the Ollama engine passes on (system, developer, user, assistant, tool)`);
    }
    const out: OllamaMessage = { role, ...contentOf(m.content, where) };
    if (role === 'assistant' && Array.isArray(m.tool_calls) && m.tool_calls.length > 0) {
      out.tool_calls = m.tool_calls.map((tc, j) => {
        const fn = isObj(tc) && isObj(tc.function) ? tc.function : undefined;
        if (!fn || typeof fn.name !== 'string') throw invalid(`${where}.tool_calls[${j}] has no function name`);
        if (isObj(tc) && typeof tc.id === 'string') toolNames.set(tc.id, fn.name);
        return { function: { name: fn.name, arguments: argumentsOf(fn.arguments, `${where}.tool_calls[${j}]`) } };
      });
    }
    if (role === 'tool') {
      const name = typeof m.tool_call_id === 'string' ? toolNames.get(m.tool_call_id) : undefined;
      if (name !== undefined) out.tool_name = name;
    }
    return out;
  });
}

function contentOf(content: unknown, where: string): { content: string; images?: string[] } {
  if (content === undefined || content === null) return { content: '' };
  if (typeof content === 'string') return { content };
  if (!Array.isArray(content)) throw invalid(`${where}.content must be a string or a list of parts`);
  const texts: string[] = [];
  const images: string[] = [];
  for (const part of content) {
    if (isObj(part) && part.type === 'text' && typeof part.text === 'string') texts.push(part.text);
    else if (isObj(part) && part.type === 'image_url') images.push(imageData(part.image_url, where));
    else throw invalid(`${where}.content has a part the Ollama engine cannot pass on (type ${JSON.stringify(isObj(part) ? part.type : part)}); it takes text and image_url parts`);
  }
  return { content: texts.join('\n'), ...(images.length > 0 ? { images } : {}) };
}

function imageData(v: unknown, where: string): string {
  const url = isObj(v) ? v.url : v;
  const match = typeof url === 'string' ? /^data:image\/[\w.+-]+;base64,(.+)$/s.exec(url) : null;
  if (!match) throw invalid(`${where}: the Ollama engine takes images only as base64 data: URLs; the node does not fetch image URLs`);
  return match[1]!;
}

function argumentsOf(v: unknown, where: string): Record<string, unknown> {
  if (v === undefined || v === null || v === '') return {};
  if (isObj(v)) return v;
  if (typeof v === 'string') {
    try {
      const parsed = JSON.parse(v) as unknown;
      if (isObj(parsed)) return parsed;
    } catch {
      /* reported below */
    }
  }
  throw invalid(`${where}.function.arguments must be a JSON object (as a string or an object)`);
}

function invalid(message: string): AgentError {
  return new AgentError('invalid_request', message);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
