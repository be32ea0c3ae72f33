import { request as httpRequest } from 'node:http';
/** Minimal fetch wrappers for tests that check raw HTTP behaviour (status, headers, exact bodies). */
export interface JsonResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

export async function postJson(url: string, token: string | null, body: unknown, init: RequestInit = {}): Promise<JsonResponse> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
  return readResponse(res);
}

/** Status, headers and the body parsed as JSON when it is JSON (SSE and plain text stay strings). */
export async function readResponse(res: Response): Promise<JsonResponse> {
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* SSE or plain text: keep the text */
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

export function chat(hubUrl: string, key: string, body: unknown): Promise<JsonResponse> {
  return postJson(`${hubUrl}/v1/chat/completions`, key, body);
}

/** Parses an SSE body into its `data:` payloads (JSON where possible, the raw string otherwise). */
export function sseEvents(text: string): unknown[] {
  return text
    .split('\n\n')
    .map((block) => block.trim())
    .filter((b) => b.startsWith('data: '))
    .map((b) => {
      const d = b.slice(6);
      try {
        return JSON.parse(d);
      } catch {
        return d;
      }
    });
}

/**
 * One HTTP request exactly as given: the path is sent byte for byte (fetch would normalise `//`,
 * `%2e%2e` and dot segments away), headers and body untouched. For hostile-input tests.
 */
export function rawRequest(baseUrl: string, req: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | string }): Promise<JsonResponse & { text: string }> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    // Node's client frames a GET/DELETE body with neither Content-Length nor chunked encoding, so the
    // server would read the body as a second, malformed request; state its length unless the caller did.
    const headers = { ...(req.headers ?? {}) };
    const framed = Object.keys(headers).some((h) => /^(content-length|transfer-encoding)$/i.test(h));
    if (req.body !== undefined && !framed) headers['content-length'] = String(Buffer.byteLength(req.body));
    const r = httpRequest({ host: url.hostname, port: url.port, method: req.method ?? 'GET', path: req.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          /* not JSON: keep the text */
        }
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
        resolve({ status: res.statusCode ?? 0, headers, body, text });
      });
    });
    r.on('error', reject);
    r.end(req.body);
  });
}
