import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@porten/testkit/freePort';
import { AdminClient } from '@porten/airgap/site/adminClient';
import { bringUpPlatform, nodeProject, type Platform } from '@porten/airgap/site/platform';
import type { ComposeProject } from '@porten/airgap/site/composeProject';
import { runTool, runToolChecked } from '@porten/airgap/site/runTool';
import { findRepoRoot } from '@porten/shared/repoRoot';

export const REPO = findRepoRoot(import.meta.dirname);
export const VERSION = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version as string;

export interface TestSite {
  siteDir: string;
  project: string;
  platform: Platform;
  nodes: ComposeProject;
  admin: AdminClient;
  /** Containers the test started besides the stacks (removed by close). */
  extraContainers: string[];
  /** Runs a throw-away container on the platform's edge network (like a machine on the site's LAN). */
  runOnEdge(args: string[], name?: string): Promise<string>;
  /** Removes the containers runOnEdge started (the edge network cannot be removed while they use it). */
  removeExtraContainers(): Promise<void>;
  close(): Promise<void>;
}

/** Fails with what to do when the release images were not built (npm test builds them before vitest). */
export async function assertImagesBuilt(): Promise<void> {
  for (const name of ['hub', 'agent', 'postgres', 'redis', 'nodehost-test']) {
    const res = await runTool('docker', ['image', 'inspect', '--format', '{{.Id}}', `porten/${name}:${VERSION}`]);
    if (res.code !== 0) throw new Error(`image porten/${name}:${VERSION} is missing: run \`npm run build && npm run build:images\` (npm test does)`);
  }
}

/** A whole site from the release images under a project name of its own, on a free loopback port. */
export async function startTestSite(): Promise<TestSite> {
  await assertImagesBuilt();
  const siteDir = mkdtempSync(join(tmpdir(), 'porten-site-'));
  const project = `porten-t${randomBytes(3).toString('hex')}`;
  const platform = await bringUpPlatform({ siteDir, project, version: VERSION, hubPort: await freePort() });
  const nodes = await nodeProject(siteDir, project);
  const extraContainers: string[] = [];
  const removeExtraContainers = async () => {
    if (extraContainers.length > 0) await runTool('docker', ['rm', '-f', ...extraContainers.splice(0)]);
  };
  return {
    siteDir,
    project,
    platform,
    nodes,
    admin: new AdminClient(platform.hubUrl, platform.settings.PORTEN_ADMIN_TOKEN),
    extraContainers,
    async runOnEdge(args, name = `${project}-c${randomBytes(3).toString('hex')}`) {
      extraContainers.push(name);
      return (await runToolChecked('docker', ['run', '-d', '--name', name, '--network', `${project}_edge`, ...args])).trim();
    },
    removeExtraContainers,
    async close() {
      await removeExtraContainers();
      await nodes.down(true).catch(() => {});
      await platform.stack.down(true).catch(() => {});
      rmSync(siteDir, { recursive: true, force: true });
    },
  };
}

/** `docker exec` in a container; returns the exit code and output (never throws on a non-zero exit). */
export function dockerExec(container: string, args: string[]) {
  return runTool('docker', ['exec', container, ...args]);
}
