#!/usr/bin/env node
/**
 * `portenctl`: the site's ops CLI. `portenctl airgap …` makes, checks and installs offline bundles
 * (docs/airgap.md). The composition root: the only module that reads the environment —
 * DOCKER_HOST (the engine; default the local socket), PORTEN_SITE_DIR (default site folder),
 * SOURCE_DATE_EPOCH (bundle creation time). Commands are modules loaded only when run. Exit 0 on
 * success, 1 on a refusal or failure (one line on stderr), 2 on a usage error.
 */
import { join } from 'node:path';
import { RELEASE_REVISION, RELEASE_VERSION } from '@porten/shared/version';
import { AirgapError } from './airgapError.ts';
import type { CliContext } from './cli/cliContext.ts';
import { AIRGAP_USAGE, USAGE } from './cli/usage.ts';
import { DockerEngine } from './dockerEngine.ts';
import { progressTo } from './progress.ts';
import { findRepoRoot } from '@porten/shared/repoRoot';

const COMMANDS: Record<string, (ctx: CliContext) => Promise<void> | void> = {
  keygen: async (ctx) => (await import('./cli/keygenCommand.ts')).keygenCommand(ctx),
  create: async (ctx) => (await import('./cli/createCommand.ts')).createCommand(ctx),
  verify: async (ctx) => (await import('./cli/verifyCommand.ts')).verifyCommand(ctx),
  inspect: async (ctx) => (await import('./cli/inspectCommand.ts')).inspectCommand(ctx),
  install: async (ctx) => (await import('./cli/installCommand.ts')).installCommand(ctx),
};

async function main(argv: string[]): Promise<number> {
  const [group, command, ...rest] = argv;
  if (group === '--version' || group === 'version') {
    console.log(`portenctl ${RELEASE_VERSION} (rev ${RELEASE_REVISION})`);
    return 0;
  }
  if (group !== 'airgap') {
    (group === undefined || group === '--help' || group === '-h' ? console.log : console.error)(USAGE);
    return group === undefined || group === '--help' || group === '-h' ? 0 : 2;
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    console.log(AIRGAP_USAGE);
    return 0;
  }
  const run = COMMANDS[command];
  if (!run) {
    console.error(`portenctl airgap: unknown command ${command}; one of ${Object.keys(COMMANDS).join(', ')} (portenctl airgap --help)`);
    return 2;
  }
  let engine: DockerEngine | undefined;
  const ctx: CliContext = {
    argv: rest,
    out: (line) => console.log(line),
    progress: progressTo(process.stderr),
    engine: () => (engine ??= new DockerEngine(process.env.DOCKER_HOST)),
    siteDir: process.env.PORTEN_SITE_DIR ?? '/var/lib/porten-site',
    sourceDateEpoch: process.env.SOURCE_DATE_EPOCH,
    repoRoot: import.meta.dirname ? findRepoRoot(import.meta.dirname) : undefined,
    now: () => new Date(),
  };
  try {
    await run(ctx);
    return 0;
  } catch (err) {
    if (err instanceof AirgapError) {
      console.error(`portenctl airgap ${command}: ${err.message}`);
      return err.code === 'usage' ? 2 : 1;
    }
    console.error(`portenctl airgap ${command}: unexpected error (this is a bug in portenctl ${RELEASE_VERSION}): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  }
}

void main(process.argv.slice(2)).then((code) => process.exit(code));
