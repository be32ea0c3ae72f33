export { AuditLog, type AuditLogOptions } from './auditLog.ts';
export { verifyChain, type VerifyOptions } from './verifyChain.ts';
export { queryAudit, MAX_QUERY_LIMIT } from './queryAudit.ts';
export { exportAudit } from './exportAudit.ts';
export { AUDIT_EVENTS } from './types.ts';
export type { AuditDetail, AuditEntry, AuditEvent, AuditFilter, AuditPage, AuditQuery, AuditRecord, ChainHead, VerifyResult } from './types.ts';
