import { Router } from 'express';
import type { HubDeps } from '../deps.ts';

/** STUB — replaced by the admin API implementation. */
export function createAdminRouter(_deps: HubDeps): Router {
  return Router();
}
