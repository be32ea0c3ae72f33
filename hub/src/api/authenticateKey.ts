import type { Request, Response, NextFunction } from 'express';
import { HubError } from '../errors/index.ts';
import type { RoutingDirectory } from '../routing/index.ts';

/**
 * `Authorization: Bearer sk-porten-…` → `res.locals.key`. Missing, unknown and revoked keys are all
 * 401 `invalid_api_key`; the message never says which, so keys cannot be probed.
 */
export function authenticateKey(directory: RoutingDirectory) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const header = req.header('authorization');
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match) {
      throw new HubError('invalid_api_key', 'You did not provide an API key. Send it as `Authorization: Bearer <key>`; an operator creates keys in the admin API.');
    }
    const key = await directory.keyForSecret(match[1]!);
    if (!key) throw new HubError('invalid_api_key', 'Incorrect or revoked API key provided. Ask an operator for a valid key.');
    res.locals.key = key;
    next();
  };
}
