/**
 * The one client of the hub's admin API (`/admin/v1`, docs/admin-api.md), for the installer and
 * the quick start (through airgap's AdminClient, which turns refusals into AirgapErrors) and for
 * every test (hub/test/support/adminTestClient.ts). It reports what the hub answered — status,
 * body, headers — and never throws for a status: callers decide what a refusal means. A hub that
 * cannot be reached rejects with fetch's error.
 */

// The admin API answers JSON objects whose shapes docs/admin-api.md defines; callers read the fields they need.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface AdminReply {
  status: number;
  /** The parsed JSON body; the text itself when the body is not JSON. */
  body: Json;
  headers: Headers;
}

export interface AdminSendOptions {
  /** Sent as JSON, or as application/octet-stream when it is bytes (model weights). */
  body?: unknown;
  /** Sent as it is (tests of malformed bodies), with `contentType` (default application/json). */
  rawBody?: string;
  contentType?: string;
  /** Overrides the client's `Authorization` header; `null` sends none. */
  authorization?: string | null;
}

export class AdminApi {
  readonly hubUrl: string;
  private readonly token: string | undefined;
  private readonly basePath: string;

  /**
   * `hubUrl` is the hub's base URL (`http://127.0.0.1:8080`); paths are relative to `basePath`,
   * `/admin/v1` unless tests of the node-facing enrollment endpoints (`/v1/nodes/enroll`) pass ''.
   */
  constructor(hubUrl: string, token?: string, basePath = '/admin/v1') {
    this.hubUrl = hubUrl.replace(/\/+$/, '');
    this.token = token;
    this.basePath = basePath;
  }

  async send(method: string, path: string, opts: AdminSendOptions = {}): Promise<AdminReply> {
    const headers: Record<string, string> = {};
    const authorization = opts.authorization === undefined ? (this.token === undefined ? null : `Bearer ${this.token}`) : opts.authorization;
    if (authorization !== null) headers.authorization = authorization;
    let body: string | Uint8Array | undefined;
    if (opts.rawBody !== undefined) {
      body = opts.rawBody;
      headers['content-type'] = opts.contentType ?? 'application/json';
    } else if (opts.body instanceof Uint8Array) {
      body = opts.body;
      headers['content-type'] = 'application/octet-stream';
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(`${this.hubUrl}${this.basePath}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await res.text();
    let parsed: Json = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: parsed, headers: res.headers };
  }

  get = (path: string) => this.send('GET', path);
  post = (path: string, body?: unknown) => this.send('POST', path, { body });
  patch = (path: string, body?: unknown) => this.send('PATCH', path, { body });
  delete = (path: string) => this.send('DELETE', path);
}
