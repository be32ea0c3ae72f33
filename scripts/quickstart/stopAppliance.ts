/**
 * `npm run stop`: stops the node and platform stacks that `npm start` started (containers stop;
 * containers, networks and data volumes are kept, so `npm start` resumes where it was).
 * `npm run reset` (resetAppliance.ts) removes them and the data.
 */
import { existsSync } from 'node:fs';
import { AirgapError } from '@porten/airgap/airgapError';
import { nodeProject, platformProject } from '@porten/airgap/site/platform';
import { siteEnvPath } from '@porten/airgap/site/siteEnv';
import { findRepoRoot } from '@porten/shared/repoRoot';
import { loadQuickStartConfig } from './quickStartConfig.ts';

const REPO = findRepoRoot(import.meta.dirname);

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
  const stop = async () => {
    const { siteDir, project } = loadQuickStartConfig(process.env, REPO);
    await stopSite(siteDir, project, (l) => console.log(l));
  };
  stop().catch((err: Error) => {
    console.error(`npm run stop failed: ${err.message}`);
    if (!(err instanceof AirgapError)) console.error(err.stack);
    process.exit(1);
  });
}
