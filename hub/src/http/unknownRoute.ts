import type { Request } from 'express';
import { HubError } from '../errors/index.ts';

/**
 * The last handler of the app: whatever no router answered is a 404 in the OpenAI error shape, never
 * Express's HTML page. The path is echoed shortened and as received (not decoded): it is the
 * caller's own input, and decoding it could fail or hide what was actually asked.
 */
export function unknownRoute(req: Request): never {
  const path = req.originalUrl.split('?')[0] ?? '';
  throw new HubError(
    'not_found',
    `nothing is served at ${req.method} ${path.length > 100 ? `${path.slice(0, 100)}…` : path}: the hub serves /v1 (OpenAI API), /admin/v1 (admin API, see /admin/v1/openapi.json), /nodes/approve, /install.sh, /healthz, /readyz and /metrics`,
  );
}
