import { AdminApi, type Json } from '@porten/shared/adminApi';
import { AirgapError } from '../airgapError.ts';

export type { Json } from '@porten/shared/adminApi';

/**
 * The hub's admin API (docs/admin-api.md) as an operator script uses it, over the one admin client
 * (@porten/shared/adminApi). A non-2xx answer throws `hub_request_failed` with the hub's own error
 * message, unless the status is in `allow`.
 */
export class AdminClient {
  readonly hubUrl: string;
  private readonly api: AdminApi;

  constructor(hubUrl: string, token: string) {
    this.hubUrl = hubUrl;
    this.api = new AdminApi(hubUrl, token);
  }

  async call(method: string, path: string, body?: unknown, allow: number[] = []): Promise<{ status: number; body: Json }> {
    const reply = await this.api.send(method, path, { body }).catch((err: Error) => {
      throw new AirgapError('hub_request_failed', `cannot reach the hub at ${this.hubUrl} (${(err.cause as Error | undefined)?.message ?? err.message}); is the platform stack up?`);
    });
    if (reply.status >= 300 && !allow.includes(reply.status)) {
      throw new AirgapError('hub_request_failed', `${method} /admin/v1${path} answered ${reply.status}: ${reply.body?.error?.message ?? 'no error message'}`);
    }
    return { status: reply.status, body: reply.body };
  }

  get = (path: string) => this.call('GET', path).then((r) => r.body);
  post = (path: string, body?: unknown) => this.call('POST', path, body ?? {}).then((r) => r.body);
}
