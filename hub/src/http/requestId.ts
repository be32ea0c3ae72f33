import { randomUUID } from 'node:crypto';
import type { Request, Response, NextFunction } from 'express';

/** Every request gets an id (the caller's `x-request-id` if sane), echoed back and used in logs and audit. */
export function requestId(req: Request, res: Response, next: NextFunction): void {
  const given = req.header('x-request-id');
  const id = given && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : randomUUID();
  res.locals.requestId = id;
  res.setHeader('x-request-id', id);
  next();
}
