/**
 * `npm run bench:appliance`: how long the platform stack takes from `compose up` to a hub that
 * answers /readyz through its published port — first on empty volumes (PostgreSQL initdb,
 * migrations), then again after `down` with the data kept. Uses the built images
 * (npm run build:images) and a throw-away project and site directory; removes both at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@porten/testkit/freePort';
import { bringUpPlatform, platformProject } from '@porten/airgap/site/platform';
import { findRepoRoot } from '@porten/shared/repoRoot';

const version = JSON.parse(readFileSync(join(findRepoRoot(import.meta.dirname), 'package.json'), 'utf8')).version as string;
const siteDir = mkdtempSync(join(tmpdir(), 'porten-bench-site-'));
const project = `porten-b${randomBytes(3).toString('hex')}`;
const hubPort = await freePort();

async function timedUp(label: string): Promise<void> {
  const started = performance.now();
  await bringUpPlatform({ siteDir, project, version, hubPort });
  console.log(`${label}: hub ready ${((performance.now() - started) / 1000).toFixed(1)} s after compose up`);
}

try {
  await timedUp('empty volumes (initdb + migrations)');
  await (await platformProject(siteDir, project)).down();
  await timedUp('existing data (after down)      ');
} finally {
  await (await platformProject(siteDir, project)).down(true).catch(() => {});
  rmSync(siteDir, { recursive: true, force: true });
}
