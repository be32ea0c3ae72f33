import type { Request, Response } from 'express';
import type { AdminRole } from '../store/index.ts';

/**
 * One admin route: the router registers it behind `requireRole(...roles)`, and the route-table tests
 * and the OpenAPI drift test read the same list. `path` is an Express path relative to /admin/v1.
 */
export interface AdminRoute {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  roles: readonly AdminRole[];
  handle(req: Request, res: Response): Promise<void>;
}

/** Express 5 types route params as `string | string[]`; admin paths only use single named segments. */
export function pathParam(req: Request, name: string): string {
  const v = req.params[name];
  return Array.isArray(v) ? v.join('/') : (v ?? '');
}
