/**
 * `npm run reset`: removes the platform and node stacks with their data volumes (database, Redis,
 * model mirror, node credential and models) and the site directory. Asks for confirmation
 * (type "reset"); `--yes` skips the question for scripts. Images stay (they are cached builds).
 */
import { rmSync, existsSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { AirgapError } from '@porten/airgap/airgapError';
import { nodeProject, platformProject } from '@porten/airgap/site/platform';
import { siteEnvPath } from '@porten/airgap/site/siteEnv';
import { findRepoRoot } from '@porten/shared/repoRoot';
import { loadQuickStartConfig } from './quickStartConfig.ts';

const REPO = findRepoRoot(import.meta.dirname);

export async function resetSite(siteDir: string, project: string, out: (l: string) => void): Promise<void> {
  if (!existsSync(siteEnvPath(siteDir))) {
    out(`nothing to reset: no site in ${siteDir}`);
    return;
  }
  for (const stack of [await nodeProject(siteDir, project), await platformProject(siteDir, project)]) {
    out(`==> removing ${stack.name} with its volumes`);
    await stack.down(true);
  }
  rmSync(siteDir, { recursive: true, force: true });
  out(`==> removed ${siteDir}; npm start sets up a new site`);
}

if (import.meta.main) {
  const main = async () => {
    const { siteDir, project } = loadQuickStartConfig(process.env, REPO);
    if (!process.argv.includes('--yes')) {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      const answer = await rl.question(`This deletes the site's data (database, audit log, model mirror, node credential) in compose projects ${project} and ${project}-node and ${siteDir}.\nType "reset" to continue: `);
      rl.close();
      if (answer.trim() !== 'reset') {
        console.error('npm run reset: not confirmed; nothing was removed');
        process.exit(1);
      }
    }
    await resetSite(siteDir, project, (l) => console.log(l));
  };
  main().catch((err: Error) => {
    console.error(`npm run reset failed: ${err.message}`);
    if (!(err instanceof AirgapError)) console.error(err.stack);
    process.exit(1);
  });
}
