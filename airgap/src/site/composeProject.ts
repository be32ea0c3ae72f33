import { join } from 'node:path';
import { AirgapError } from '../airgapError.ts';
import { runTool, runToolChecked } from './runTool.ts';
import { findRepoRoot } from '@porten/shared/repoRoot';

/** The repository's compose files (compose/). */
// In a single executable (portenctl) there is no source folder: callers pass the bundle's compose folder instead.
export const COMPOSE_DIR = import.meta.dirname ? join(findRepoRoot(import.meta.dirname), 'compose') : '/nonexistent';
export const COMPOSE_FILES = {
  platform: join(COMPOSE_DIR, 'platform.yml'),
  node: join(COMPOSE_DIR, 'node.yml'),
  monitoring: join(COMPOSE_DIR, 'monitoring.yml'),
} as const;

/** How this machine runs Compose: the v2 plugin (`docker compose`) when present, else Debian's docker-compose 1.29. */
export interface ComposeCommand {
  cmd: string;
  prefix: string[];
}

export async function findCompose(): Promise<ComposeCommand> {
  const v2 = await runTool('docker', ['compose', 'version']).catch(() => undefined);
  if (v2?.code === 0) return { cmd: 'docker', prefix: ['compose'] };
  const v1 = await runTool('docker-compose', ['version', '--short']).catch(() => undefined);
  if (v1?.code === 0) return { cmd: 'docker-compose', prefix: [] };
  throw new AirgapError('tool_missing', 'neither `docker compose` nor `docker-compose` is installed; run `npm start` (it installs docker-compose) or apt-get install docker-compose');
}

export type ServiceHealth = 'healthy' | 'unhealthy' | 'starting' | 'running' | 'exited' | 'missing';

/**
 * One Compose project (`-p NAME`) over a set of compose files and the site's env file. Every call is
 * the same `compose -p … --env-file … -f … <verb>` a person would type; nothing here bypasses Compose.
 */
export class ComposeProject {
  readonly name: string;
  private readonly compose: ComposeCommand;
  private readonly envFile: string;
  private readonly files: string[];

  constructor(compose: ComposeCommand, name: string, envFile: string, files: string[]) {
    this.compose = compose;
    this.name = name;
    this.envFile = envFile;
    this.files = files;
  }

  private args(verb: string[]): string[] {
    return [...this.compose.prefix, '-p', this.name, '--env-file', this.envFile, ...this.files.flatMap((f) => ['-f', f]), ...verb];
  }

  run(verb: string[], timeoutMs?: number): Promise<string> {
    return runToolChecked(this.compose.cmd, this.args(verb), { ...process.env, COMPOSE_INTERACTIVE_NO_CLI: '1' }, timeoutMs);
  }

  up(services: string[] = []): Promise<string> {
    return this.run(['up', '-d', '--no-build', ...services]);
  }
  stop(services: string[] = []): Promise<string> {
    return this.run(['stop', ...services]);
  }
  start(services: string[] = []): Promise<string> {
    return this.run(['start', ...services]);
  }
  /** Removes containers and networks; named volumes (the data) stay unless `volumes`. */
  down(volumes = false): Promise<string> {
    return this.run(['down', '--remove-orphans', ...(volumes ? ['--volumes'] : [])]);
  }
  logs(service: string, tail = 50): Promise<string> {
    return this.run(['logs', '--no-color', '--tail', String(tail), service]);
  }

  /** The container id of a service ('' when it has none). */
  async containerId(service: string): Promise<string> {
    return (await this.run(['ps', '-q', service])).trim().split('\n')[0] ?? '';
  }

  /** Docker's view of a service's container: its health check result, or its state when it has none. */
  async health(service: string): Promise<ServiceHealth> {
    const id = await this.containerId(service);
    if (!id) return 'missing';
    const res = await runTool('docker', ['inspect', '--format', '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}', id]);
    if (res.code !== 0) return 'missing';
    const [state, health] = res.stdout.trim().split(' ');
    if (state !== 'running') return 'exited';
    return (health as ServiceHealth | undefined) || 'running';
  }
}
