import { Router } from 'express';
import { renderApprovePage } from './approvePage.ts';
import { setConsoleHeaders } from './consoleLayout.ts';

/**
 * The hub's built-in console pages. They are static shells (no data, no auth of their own): every
 * datum is fetched from the admin API with the operator's token. GET /nodes/approve?code=XXXX-XXXX
 * is the `verification_uri_complete` enrollment hands to agents.
 */
export function createConsoleRouter(): Router {
  const router = Router();
  router.get('/nodes/approve', (_req, res) => {
    const nonce = setConsoleHeaders(res);
    res.send(renderApprovePage(nonce));
  });
  return router;
}
