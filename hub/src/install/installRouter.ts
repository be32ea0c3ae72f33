import { Router, type Request } from 'express';
import type { HubDeps } from '../deps.ts';
import { AGENT_FILES, readAgentRelease, type AgentFile } from './releaseFiles.ts';
import { renderInstallScript } from './installScript.ts';

/** A Host header that is only a hostname or address and a port: safe to write into a shell script. */
const SAFE_HOST = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;

/**
 * Node installation from the hub, unauthenticated like enrollment (what it hands out is the agent
 * anyone on the site's network may run; a node still needs an operator's approval to serve):
 *   GET /install.sh                      the installer (installScript.ts)
 *   GET /install/SHA256SUMS              the agent files' sha256s from the release manifest
 *   GET /install/release.json            the manifest itself
 *   GET /install/porten                  the agent executable
 *   GET /install/porten-payload.tar.gz   its native payload (llama.cpp)
 * The script points back at the address the machine used to fetch it (the request's Host): that
 * address evidently reaches this hub from there, which HUB_PUBLIC_URL (often a loopback address on
 * an appliance) may not. A Host that is not a plain host[:port] falls back to HUB_PUBLIC_URL.
 */
export function createInstallRouter(deps: Pick<HubDeps, 'config'>): Router {
  const router = Router();
  const { config } = deps;

  router.get('/install.sh', async (req, res, next) => {
    try {
      const release = await readAgentRelease(config.releaseDir);
      res.type('text/x-shellscript; charset=utf-8').setHeader('Cache-Control', 'no-store');
      res.send(renderInstallScript(hubUrlFor(req, config.publicUrl), release.version));
    } catch (err) {
      next(err);
    }
  });

  router.get('/install/SHA256SUMS', async (_req, res, next) => {
    try {
      res.type('text/plain; charset=utf-8').setHeader('Cache-Control', 'no-store');
      res.send((await readAgentRelease(config.releaseDir)).sha256sums);
    } catch (err) {
      next(err);
    }
  });

  for (const file of ['release.json', ...AGENT_FILES] as const) {
    router.get(`/install/${file}`, async (_req, res, next) => {
      try {
        const release = await readAgentRelease(config.releaseDir);
        const path = file === 'release.json' ? `${config.releaseDir}/release.json` : release.path(file as AgentFile);
        res.setHeader('Cache-Control', 'no-store');
        res.sendFile(path, { dotfiles: 'deny', acceptRanges: true, lastModified: false }, (err) => {
          if (err && !res.headersSent) next(err);
        });
      } catch (err) {
        next(err);
      }
    });
  }
  return router;
}

function hubUrlFor(req: Request, publicUrl: string): string {
  const host = req.get('host');
  return host !== undefined && SAFE_HOST.test(host) ? `${req.protocol}://${host}` : publicUrl;
}
