export { AuditLog } from './auditLog.ts';
export type { AuditEntry, AuditRecord, VerifyResult } from './types.ts';
