import { isObj, typedFrame } from './frameFields.ts';
import type { HubMessage, RequestMessage } from './messages.ts';

const REQUEST_KINDS = ['chat', 'completion', 'embedding'];

/**
 * Validates a frame from the hub, on the agent. A frame that does not match the protocol — or is of
 * a type this agent does not know, from a newer hub — is `{invalid}`: the agent logs and drops it
 * rather than act on half a message. Only protocol fields are kept. Request `params` are checked
 * for the fields each kind needs and passed on whole: the engine validates the rest.
 */
export function parseHubMessage(raw: string): HubMessage | { invalid: string } {
  const parsed = typedFrame(raw);
  if ('invalid' in parsed) return parsed;
  const v = parsed.frame;
  switch (v.type) {
    case 'welcome': {
      const f = texts(v, ['node_id', 'name', 'org_id', 'region', 'trust_class'] as const);
      if (!f) return { invalid: 'welcome: node_id, name, org_id, region and trust_class must be strings' };
      if (typeof v.heartbeat_interval_ms !== 'number' || !(v.heartbeat_interval_ms > 0)) return { invalid: 'welcome.heartbeat_interval_ms' };
      return { type: 'welcome', ...f, heartbeat_interval_ms: v.heartbeat_interval_ms };
    }
    case 'assignment': {
      const f = texts(v, ['name', 'region', 'trust_class'] as const);
      if (!f) return { invalid: 'assignment: name, region and trust_class must be strings' };
      return { type: 'assignment', ...f };
    }
    case 'request': {
      const { id, kind, model, params } = v;
      if (typeof id !== 'string' || typeof model !== 'string' || typeof kind !== 'string' || !REQUEST_KINDS.includes(kind) || !isObj(params)) return { invalid: 'request: id, kind, model and params' };
      if (kind === 'chat' && !Array.isArray(params.messages)) return { invalid: 'request.params.messages' };
      if (kind === 'completion' && typeof params.prompt !== 'string') return { invalid: 'request.params.prompt' };
      if (kind === 'embedding' && !(Array.isArray(params.input) && params.input.every((s) => typeof s === 'string'))) return { invalid: 'request.params.input' };
      return { type: 'request', id, kind, model, params } as unknown as RequestMessage;
    }
    case 'cancel':
    case 'pause':
    case 'resume':
      if (typeof v.id !== 'string') return { invalid: `${v.type}.id` };
      return { type: v.type, id: v.id };
    case 'load': {
      // Absent counts as null (unknown); the model store refuses a load it cannot fetch.
      const { model, sha256 = null, size_bytes = null, url = null } = v;
      if (typeof model !== 'string') return { invalid: 'load.model' };
      if (!(sha256 === null || typeof sha256 === 'string') || !(url === null || typeof url === 'string') || !(size_bytes === null || typeof size_bytes === 'number')) {
        return { invalid: 'load: sha256 and url must be strings, size_bytes a number (or null)' };
      }
      return { type: 'load', model, sha256, size_bytes, url };
    }
    case 'unload':
      if (typeof v.model !== 'string') return { invalid: 'unload.model' };
      return { type: 'unload', model: v.model };
    default:
      return { invalid: `unknown frame type ${String(v.type).slice(0, 32)}` };
  }
}

/** The named fields when every one is a string, else undefined. */
function texts<K extends string>(v: Record<string, unknown>, keys: readonly K[]): Record<K, string> | undefined {
  const out = {} as Record<K, string>;
  for (const k of keys) {
    const value = v[k];
    if (typeof value !== 'string') return undefined;
    out[k] = value;
  }
  return out;
}
