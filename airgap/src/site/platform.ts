import { join } from 'node:path';
import { AirgapError } from '../airgapError.ts';
import { COMPOSE_FILES, ComposeProject, findCompose, type ComposeCommand } from './composeProject.ts';
import { pollUntil } from './pollUntil.ts';
import { ensureSiteEnv, siteEnvPath, type SiteSettings } from './siteEnv.ts';

export interface PlatformOptions {
  siteDir: string;
  /** Compose project of the platform stack (default `porten`); the node stack is `<project>-node`. */
  project: string;
  version: string;
  hubPort: number;
  bindAddress?: string;
  /** Where platform.yml is (default: the repository's compose/); an air-gap install passes the bundle's copy. */
  composeDir?: string;
  /** Progress lines for a person watching. */
  step?: (line: string) => void;
}

export interface Platform {
  settings: SiteSettings;
  compose: ComposeCommand;
  stack: ComposeProject;
  /** The hub as this machine reaches it (the published port). */
  hubUrl: string;
}

/** How long the hub may take from `up` to ready: PostgreSQL's first initdb plus migrations. */
const HUB_READY_MS = 180_000;

/** The platform stack's Compose project, without starting anything (for stop/reset/status). */
export async function platformProject(siteDir: string, project: string): Promise<ComposeProject> {
  return new ComposeProject(await findCompose(), project, siteEnvPath(siteDir), [COMPOSE_FILES.platform]);
}

/** The node stack's Compose project (`<project>-node`), joining the platform's edge network. */
export async function nodeProject(siteDir: string, project: string): Promise<ComposeProject> {
  return new ComposeProject(await findCompose(), `${project}-node`, siteEnvPath(siteDir), [COMPOSE_FILES.node]);
}

/**
 * Brings the platform stack (hub, PostgreSQL, Redis) up, idempotently: the site env file is created
 * or updated (secrets kept), `compose up -d` starts what is not running, and this returns once the
 * hub's health check passes and /readyz answers 200 through the published port. A hub that does not
 * get ready fails with the tail of its log.
 */
export async function bringUpPlatform(opts: PlatformOptions): Promise<Platform> {
  const step = opts.step ?? (() => {});
  const settings = ensureSiteEnv(opts.siteDir, { version: opts.version, project: opts.project, hubPort: opts.hubPort, ...(opts.bindAddress ? { bindAddress: opts.bindAddress } : {}) });
  const compose = await findCompose();
  const stack = new ComposeProject(compose, opts.project, siteEnvPath(opts.siteDir), [opts.composeDir ? join(opts.composeDir, 'platform.yml') : COMPOSE_FILES.platform]);
  step(`starting the platform stack (compose project ${opts.project}: hub, postgres, redis)`);
  await stack.up();
  const hubUrl = `http://${settings.PORTEN_BIND_ADDRESS === '0.0.0.0' ? '127.0.0.1' : settings.PORTEN_BIND_ADDRESS}:${settings.PORTEN_HUB_PORT}`;
  step(`waiting for the hub to be healthy (${hubUrl})`);
  try {
    await pollUntil(
      'the hub becoming healthy',
      async () => {
        const health = await stack.health('hub');
        if (health === 'exited') throw new AirgapError('command_failed', 'the hub container exited');
        if (health !== 'healthy') return undefined;
        const ready = await fetch(`${hubUrl}/readyz`).then((r) => r.status === 200, () => false);
        return ready ? true : undefined;
      },
      HUB_READY_MS,
      `see \`docker-compose -p ${opts.project} logs hub\``,
      1000,
    );
  } catch (err) {
    const logs = await stack.logs('hub', 15).catch(() => '(no logs)');
    throw new AirgapError((err as AirgapError).code ?? 'timeout', `${(err as Error).message}\nlast hub log lines:\n${logs}`);
  }
  return { settings, compose, stack, hubUrl };
}
