import { describe, expect, it } from 'vitest';
import { parseHubMessage } from './parseHubMessage.ts';

const parse = (v: unknown) => parseHubMessage(typeof v === 'string' ? v : JSON.stringify(v));

describe('parseHubMessage (hub → node frames, validated on the agent)', () => {
  it('assignment: name, region and trust class as strings; anything else in the frame is dropped', () => {
    expect(parse({ type: 'assignment', name: 'rack-7', region: 'eu-central', trust_class: 'confidential', heartbeat_interval_ms: 1, extra: 'x' })).toEqual({
      type: 'assignment',
      name: 'rack-7',
      region: 'eu-central',
      trust_class: 'confidential',
    });
    expect(parse({ type: 'assignment', name: 'rack-7', region: 7, trust_class: 'trusted' })).toEqual({ invalid: 'assignment: name, region and trust_class must be strings' });
    expect(parse({ type: 'assignment', name: 'rack-7', region: 'eu' })).toEqual({ invalid: 'assignment: name, region and trust_class must be strings' });
  });

  it('welcome: the identity fields and a positive heartbeat interval', () => {
    const welcome = { type: 'welcome', node_id: 'n1', name: 'gpu-01', org_id: 'o1', region: 'eu', trust_class: 'trusted', heartbeat_interval_ms: 5000 };
    expect(parse(welcome)).toEqual(welcome);
    expect(parse({ ...welcome, heartbeat_interval_ms: 0 })).toEqual({ invalid: 'welcome.heartbeat_interval_ms' });
    expect(parse({ ...welcome, region: null })).toMatchObject({ invalid: expect.stringContaining('welcome') });
  });

  it('request: the envelope and the field each kind needs; params are passed on whole', () => {
    const params = { messages: [{ role: 'user', content: 'hi' }], temperature: 0.2, tools: [] };
    expect(parse({ type: 'request', id: 'r.1', kind: 'chat', model: 'm', params })).toEqual({ type: 'request', id: 'r.1', kind: 'chat', model: 'm', params });
    expect(parse({ type: 'request', id: 'r.1', kind: 'completion', model: 'm', params: { prompt: 'Once' } })).toMatchObject({ kind: 'completion' });
    expect(parse({ type: 'request', id: 'r.1', kind: 'embedding', model: 'm', params: { input: ['a', 'b'] } })).toMatchObject({ kind: 'embedding' });
    expect(parse({ type: 'request', id: 'r.1', kind: 'chat', model: 'm', params: {} })).toEqual({ invalid: 'request.params.messages' });
    expect(parse({ type: 'request', id: 'r.1', kind: 'embedding', model: 'm', params: { input: [1] } })).toEqual({ invalid: 'request.params.input' });
    expect(parse({ type: 'request', id: 'r.1', kind: 'rerank', model: 'm', params: {} })).toEqual({ invalid: 'request: id, kind, model and params' });
  });

  it('cancel, pause, resume, load (absent fields are null), unload', () => {
    expect(parse({ type: 'cancel', id: 'r.1' })).toEqual({ type: 'cancel', id: 'r.1' });
    expect(parse({ type: 'pause', id: 'r.1' })).toEqual({ type: 'pause', id: 'r.1' });
    expect(parse({ type: 'resume' })).toEqual({ invalid: 'resume.id' });
    expect(parse({ type: 'load', model: 'm', sha256: 'ab', size_bytes: 10, url: 'http://hub/v1/mirror/ab' })).toEqual({ type: 'load', model: 'm', sha256: 'ab', size_bytes: 10, url: 'http://hub/v1/mirror/ab' });
    expect(parse({ type: 'load', model: 'm' })).toEqual({ type: 'load', model: 'm', sha256: null, size_bytes: null, url: null });
    expect(parse({ type: 'load', model: 'm', size_bytes: '10' })).toMatchObject({ invalid: expect.stringContaining('load') });
    expect(parse({ type: 'unload', model: 'm' })).toEqual({ type: 'unload', model: 'm' });
  });

  it('not JSON, no type, or a type this agent does not know (a newer hub) are invalid', () => {
    expect(parse('{"type":')).toEqual({ invalid: 'frame is not JSON' });
    expect(parse([1, 2])).toEqual({ invalid: 'frame has no type' });
    expect(parse({ type: 'reboot' })).toEqual({ invalid: 'unknown frame type reboot' });
  });
});
