import type { AdminRole } from '../store/index.ts';

/**
 * Who may call what. `admin` may do everything; `operator` runs the site (orgs, keys, enrollments,
 * nodes, models) but cannot mint or revoke admin tokens; `auditor` reads everything except the
 * admin-token list. Routes name one of these sets, never an ad-hoc list.
 */
export const ANY_ROLE: readonly AdminRole[] = ['admin', 'operator', 'auditor'];
export const MANAGERS: readonly AdminRole[] = ['admin', 'operator'];
export const ADMIN_ONLY: readonly AdminRole[] = ['admin'];
