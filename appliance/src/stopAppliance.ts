/**
 * `npm run stop`: stops the node and platform stacks that `npm start` started (containers stop;
 * containers, networks and data volumes are kept, so `npm start` resumes where it was).
 * `npm run reset` (resetAppliance.ts) removes them and the data.
 */
import { resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { ApplianceError } from './ApplianceError.ts';
import { nodeProject, platformProject } from './platform.ts';
import { siteEnvPath } from './siteEnv.ts';

const REPO = resolve(import.meta.dirname, '..', '..');

export async function stopSite(siteDir: string, project: string, out: (l: string) => void): Promise<void> {
  if (!existsSync(siteEnvPath(siteDir))) {
    out(`nothing to stop: no site in ${siteDir} (npm start creates it)`);
    return;
  }
  const nodes = await nodeProject(siteDir, project);
  out(`==> stopping the node stack (${nodes.name}; the agent drains first)`);
  await nodes.stop();
  const platform = await platformProject(siteDir, project);
  out(`==> stopping the platform stack (${platform.name}); data is kept`);
  await platform.stop();
}

if (import.meta.main) {
  const siteDir = resolve(REPO, process.env.PORTEN_SITE_DIR ?? '.porten');
  stopSite(siteDir, process.env.PORTEN_PROJECT ?? 'porten', (l) => console.log(l)).catch((err: Error) => {
    console.error(`npm run stop failed: ${err.message}`);
    if (!(err instanceof ApplianceError)) console.error(err.stack);
    process.exit(1);
  });
}
