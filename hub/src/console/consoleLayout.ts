import { randomBytes } from 'node:crypto';
import type { Response } from 'express';

/**
 * The shared frame of the hub's built-in console pages: self-contained HTML (inline CSS and JS, no
 * external assets — the site may have no internet), served with a strict Content-Security-Policy
 * whose per-response nonce is the only way a script or style block runs. Pages call the admin API
 * same-origin with a token the operator pastes (kept in sessionStorage, gone when the tab closes).
 */

const CSS = `
  :root { font-family: system-ui, sans-serif; color: #1b1f24; background: #f6f7f9; }
  body { max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
  h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 1.5rem; }
  section { background: #fff; border: 1px solid #d5d9de; border-radius: 6px; padding: 1rem 1.25rem; margin: 1rem 0; }
  label { display: block; margin: .6rem 0 .2rem; font-weight: 600; }
  input, select { width: 100%; box-sizing: border-box; padding: .45rem; font: inherit; border: 1px solid #b8bec6; border-radius: 4px; }
  button { font: inherit; padding: .5rem 1rem; margin: .8rem .5rem 0 0; border-radius: 4px; border: 1px solid #1f5fbf; background: #1f6feb; color: #fff; cursor: pointer; }
  button.secondary { background: #fff; color: #1f5fbf; } button.danger { background: #c62828; border-color: #a01f1f; }
  button:disabled { opacity: .5; cursor: default; }
  pre { background: #f0f2f4; padding: .75rem; overflow: auto; max-height: 18rem; font-size: .85rem; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; } dt { font-weight: 600; } dd { margin: 0; }
  .hint { color: #57606a; font-size: .9rem; } [hidden] { display: none !important; }
  #status { padding: .6rem .8rem; border-radius: 4px; } #status:empty { display: none; }
  #status.info { background: #eaf2fd; } #status.ok { background: #e6f4ea; } #status.error { background: #fdecea; }
`;

/**
 * Where browser instrumentation (Grafana Faro, reporting same-origin to the hub's collector) will be
 * included: the ONE <script> include point for every console page. Empty until that issue lands.
 */
function instrumentationTags(_nonce: string): string {
  return '';
}

export function renderConsolePage(page: { title: string; nonce: string; body: string; script: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${page.title} · Porten hub</title>
<style nonce="${page.nonce}">${CSS}</style>
${instrumentationTags(page.nonce)}
</head>
<body>
${page.body}
<script nonce="${page.nonce}">
${page.script}
</script>
</body>
</html>
`;
}

/** Headers every console page is sent with; returns the nonce its inline blocks must carry. */
export function setConsoleHeaders(res: Response): string {
  const nonce = randomBytes(16).toString('base64');
  res.setHeader(
    'Content-Security-Policy',
    `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  );
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.type('html');
  return nonce;
}
