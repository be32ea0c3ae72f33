export { createAdminRouter, adminRoutes } from './adminRouter.ts';
export { authenticateAdmin, requireRole, adminOf, type AdminIdentity } from './adminAuth.ts';
export { ensureBootstrapAdmin } from './bootstrapAdmin.ts';
export { ANY_ROLE, MANAGERS, ADMIN_ONLY } from './roles.ts';
export type { AdminRoute } from './adminRoute.ts';
