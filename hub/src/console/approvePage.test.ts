import { Script } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from '../../test/support/testHub.ts';
import { openApiDocument } from '../admin/openapi.ts';

describe('node approval console page (real hub)', () => {
  let hub: TestHub;
  let res: Response;
  let html: string;
  beforeAll(async () => {
    hub = await startTestHub();
    res = await fetch(`${hub.url}/nodes/approve?code=ABCD-EFGH`);
    html = await res.text();
  });
  afterAll(async () => {
    await hub?.close();
  });

  it('is served without a token as HTML that is never cached', () => {
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(html).toContain('<h1>Approve a node</h1>');
  });

  it('is self-contained: no external assets, and only nonce-carrying inline blocks may run', async () => {
    const csp = res.headers.get('content-security-policy') ?? '';
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(html).not.toMatch(/\b(src|href)=/i);
    expect(html).not.toMatch(/https?:\/\//);
    const blocks = html.match(/<(script|style)\b[^>]*>/g) ?? [];
    expect(blocks.length).toBeGreaterThanOrEqual(2);
    for (const tag of blocks) expect(tag).toContain(`nonce="${nonce}"`);
    // A fresh nonce per response.
    const again = await fetch(`${hub.url}/nodes/approve`);
    expect(again.headers.get('content-security-policy')).not.toContain(nonce);
  });

  it('ships a script that parses, never writes untrusted data as HTML, and calls only documented admin routes', () => {
    const script = /<script nonce="[^"]+">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    expect(() => new Script(script)).not.toThrow();
    expect(script).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    expect(script).toContain('sessionStorage');
    const paths = Object.keys((openApiDocument() as { paths: Record<string, unknown> }).paths);
    for (const p of ['/enrollments/{user_code}', '/orgs', '/enrollments/{user_code}/approve', '/enrollments/{user_code}/deny']) expect(paths).toContain(p);
    expect(script).toContain("'/enrollments/'");
    expect(script).toContain("'/orgs'");
  });
});
