import type { NextFunction, Request, Response } from 'express';
import type { Logger } from '@porten/shared/log';
import type { AdminIdentity } from './adminAuth.ts';

/**
 * Logs every admin write (any method but GET/HEAD) once it has been answered: who (token name, id,
 * role), what (method, path), and the outcome (status) — refused attempts included. Paths never hold
 * secrets; bodies are not logged because some responses carry one.
 */
export function logAdminWrites(log: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.on('finish', () => {
        const admin = res.locals.admin as AdminIdentity | undefined;
        log.info('admin write', {
          requestId: res.locals.requestId,
          clientRequestId: res.locals.clientRequestId,
          method: req.method,
          path: req.originalUrl.split('?')[0],
          status: res.statusCode,
          actor: admin?.name ?? null,
          actor_id: admin?.id ?? null,
          role: admin?.role ?? null,
        });
      });
    }
    next();
  };
}
