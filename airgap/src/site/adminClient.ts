import { AirgapError } from '../airgapError.ts';

// The admin API answers JSON objects whose shapes docs/admin-api.md defines; callers read the fields they need.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/**
 * The hub's admin API (docs/admin-api.md) over HTTP, as an operator script uses it. A non-2xx answer
 * throws `hub_request_failed` with the hub's own error message, unless the status is in `allow`.
 */
export class AdminClient {
  readonly hubUrl: string;
  private readonly token: string;

  constructor(hubUrl: string, token: string) {
    this.hubUrl = hubUrl;
    this.token = token;
  }

  async call(method: string, path: string, body?: unknown, allow: number[] = []): Promise<{ status: number; body: Json }> {
    const isBytes = body instanceof Uint8Array;
    const res = await fetch(`${this.hubUrl}/admin/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, 'content-type': isBytes ? 'application/octet-stream' : 'application/json' },
      ...(body === undefined ? {} : { body: isBytes ? body : JSON.stringify(body) }),
    }).catch((err: Error) => {
      throw new AirgapError('hub_request_failed', `cannot reach the hub at ${this.hubUrl} (${(err.cause as Error | undefined)?.message ?? err.message}); is the platform stack up?`);
    });
    const json: Json = await res.json().catch(() => null);
    if (res.status >= 300 && !allow.includes(res.status)) {
      throw new AirgapError('hub_request_failed', `${method} /admin/v1${path} answered ${res.status}: ${json?.error?.message ?? 'no error message'}`);
    }
    return { status: res.status, body: json };
  }

  get = (path: string) => this.call('GET', path).then((r) => r.body);
  post = (path: string, body?: unknown) => this.call('POST', path, body ?? {}).then((r) => r.body);
}
