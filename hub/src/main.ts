/**
 * `porten-hub` — the hub's command line and composition entry point.
 *
 *   porten-hub [serve]    start the hub (refuses a schema it does not know exactly)
 *   porten-hub serve --migrate
 *                         apply pending migrations first, then serve (the appliance's container
 *                         command: the schema is always current before the first request)
 *   porten-hub migrate    apply pending database migrations, then exit
 *   porten-hub healthcheck
 *                         exit 0 when this host's hub answers GET /readyz with 200, else 1 (the
 *                         container image's HEALTHCHECK: the image has no curl)
 *   porten-hub import-model <file.gguf> --id <id> [...]
 *                         import a GGUF file into the model mirror and the catalog (docs/models.md)
 *   porten-hub --version  print the release version and git revision ("source" from source)
 *
 * Configuration comes from HUB_* environment variables (see docs/operations.md), validated once
 * here; every problem is reported at once. First SIGTERM/SIGINT drains (stop accepting, close
 * tunnels, flush audit); a second one forces exit.
 */
import { loadConfig } from './config/index.ts';
import { migrate } from './db/migrate.ts';
import { createPool } from './db/pool.ts';
import { HubError } from './errors/index.ts';
import { startHub } from './hub.ts';
import { createLogger } from '@porten/shared/log';
import { RELEASE_REVISION, RELEASE_VERSION } from '@porten/shared/version';

const USAGE = 'usage: porten-hub [serve [--migrate]|migrate|healthcheck|import-model|--version]';

async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'serve';
  if (command === '--version' || command === 'version') {
    console.log(`porten-hub ${RELEASE_VERSION} (rev ${RELEASE_REVISION})`);
    return 0;
  }
  if (command === '--help' || command === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (command === 'import-model') {
    const { importModelCommand } = await import('./mirror/importModelCommand.ts');
    return importModelCommand(argv.slice(1), () => loadConfig(process.env));
  }
  if (command !== 'serve' && command !== 'migrate' && command !== 'healthcheck') {
    console.error(`porten-hub: unknown command "${command}"; ${USAGE}`);
    return 2;
  }
  const flags = argv.slice(1);
  const unknownFlag = flags.find((f) => !(command === 'serve' && f === '--migrate'));
  if (unknownFlag !== undefined) {
    console.error(`porten-hub: unknown option "${unknownFlag}" for ${command}; ${USAGE}`);
    return 2;
  }

  const config = loadConfig(process.env);
  if (command === 'healthcheck') return checkReady(config.host, config.port);
  const log = createLogger(config.logLevel);

  if (command === 'migrate' || flags.includes('--migrate')) {
    const pool = createPool(config.databaseUrl, 1);
    try {
      const applied = await migrate(pool);
      console.log(applied.length === 0 ? 'porten-hub: schema is up to date' : `porten-hub: applied ${applied.map((m) => `${m.version}_${m.name}`).join(', ')}`);
    } finally {
      await pool.end();
    }
    if (command === 'migrate') return 0;
  }

  const hub = await startHub(config, log);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      log.warn('second signal: exiting now', { signal });
      process.exit(1);
    }
    stopping = true;
    log.info('draining', { signal });
    hub.close().then(
      () => process.exit(0),
      (err: Error) => {
        log.error('error while stopping', { err: err.message });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  return -1; // keep running
}

/** GET /readyz on this host's hub; 0 when ready, 1 (with the reason on stderr) otherwise. */
async function checkReady(bindHost: string, port: number): Promise<number> {
  // A wildcard bind is reached on loopback; a specific address only on itself.
  const host = bindHost === '0.0.0.0' ? '127.0.0.1' : bindHost === '::' ? '[::1]' : bindHost.includes(':') ? `[${bindHost}]` : bindHost;
  try {
    const res = await fetch(`http://${host}:${port}/readyz`, { signal: AbortSignal.timeout(3_000) });
    if (res.status === 200) return 0;
    console.error(`porten-hub: not ready (GET /readyz answered ${res.status}: ${(await res.text()).slice(0, 200)})`);
  } catch (err) {
    console.error(`porten-hub: not ready (no answer on ${host}:${port}: ${(err as Error).message})`);
  }
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (err: unknown) => {
    if (err instanceof HubError) {
      console.error(`porten-hub: ${err.message}`);
    } else if (err instanceof Error && /ECONNREFUSED|ENOTFOUND|timeout/i.test(err.message)) {
      console.error(`porten-hub: cannot reach a required service (${err.message}); check HUB_DATABASE_URL and HUB_REDIS_URL`);
    } else {
      console.error(`porten-hub: unexpected error (this is a bug in porten-hub ${RELEASE_VERSION}):`, err);
    }
    process.exit(1);
  },
);
