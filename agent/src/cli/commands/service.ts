import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { isSea } from 'node:sea';
import { fileURLToPath } from 'node:url';
import { CONFIG_VARIABLES, homeLayout, requireCredentials, writePrivateFile, type AgentConfig } from '../../config/index.ts';
import { AgentError } from '../../errors/index.ts';
import type { CommandContext, Env } from '../commandContext.ts';
import { parseFlags } from '../parseFlags.ts';
import { renderUnit } from '../systemdUnit.ts';
import { text } from '../text.ts';

const DEFAULT_DIR = '/etc/systemd/system';
const UNIT_NAME = 'porten.service';

/**
 * `porten service install [--dir DIR] [--user USER]`: writes porten.service with the current
 * PORTEN_* settings baked in as Environment= lines (PORTEN_HOME always, as an absolute path, so the
 * service finds the credential whatever its HOME), then — when the unit went to /etc/systemd/system
 * and systemctl exists — `systemctl daemon-reload` and `systemctl enable --now porten`. Otherwise it
 * says what to run. A secret in PORTEN_UPSTREAM_API_KEY is moved to a 0600 file: units are world-readable.
 */
export async function service(ctx: CommandContext): Promise<number> {
  const [sub, ...rest] = ctx.argv;
  if (sub !== 'install') throw new AgentError('usage', text.unknownServiceCommand(sub));
  const flags = parseFlags('service', rest, { dir: { type: 'string' }, user: { type: 'string' } });
  const config = ctx.config();
  requireCredentials(config.home); // a service without a credential would only fail at boot

  const dir = resolve(flags.dir ?? DEFAULT_DIR);
  const environment = bakedEnvironment(ctx.env, config, (path) => ctx.out(text.apiKeyMoved(path)));
  const unit = renderUnit({
    // Resolved only from source: the single executable's CJS bundle has no import.meta.url.
    execStart: isSea() ? [process.execPath, 'run'] : [process.execPath, fileURLToPath(new URL('../../main.ts', import.meta.url)), 'run'],
    environment,
    user: flags.user,
    stopTimeoutS: config.drainTimeoutMs === 0 ? undefined : Math.ceil(config.drainTimeoutMs / 1000) + 30,
  });
  const path = join(dir, UNIT_NAME);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, unit, { mode: 0o644 });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied: run it with sudo, or pass --dir' : e.message;
    throw new AgentError('service_install_failed', `cannot write ${path} (${why})`);
  }
  ctx.out(text.unitWritten(path));

  const systemdDir = dir === DEFAULT_DIR;
  if (systemdDir && hasSystemctl()) {
    systemctl(['daemon-reload']);
    systemctl(['enable', '--now', 'porten']);
    ctx.out(text.serviceEnabled());
  } else {
    ctx.out(text.serviceNextSteps(path, systemdDir));
  }
  return 0;
}

/** The Environment= pairs: every PORTEN_* setting given, paths made absolute, the API key by file. */
function bakedEnvironment(env: Env, config: AgentConfig, keyMoved: (path: string) => void): [string, string][] {
  const out: [string, string][] = [['PORTEN_HOME', config.home]];
  for (const name of CONFIG_VARIABLES) {
    const v = env[name];
    if (v === undefined || v === '' || name === 'PORTEN_HOME') continue;
    if (name === 'PORTEN_UPSTREAM_API_KEY') {
      const file = homeLayout(config.home).upstreamApiKey;
      writePrivateFile(file, `${v}\n`);
      keyMoved(file);
      out.push(['PORTEN_UPSTREAM_API_KEY_FILE', file]);
    } else if (name === 'PORTEN_MODELS_DIR') {
      out.push([name, config.modelsDir]);
    } else if (name === 'PORTEN_UPSTREAM_API_KEY_FILE') {
      out.push([name, isAbsolute(v) ? v : resolve(v)]);
    } else {
      out.push([name, v]);
    }
  }
  return out;
}

function hasSystemctl(): boolean {
  return spawnSync('systemctl', ['--version'], { stdio: 'ignore' }).status === 0;
}

function systemctl(args: string[]): void {
  const r = spawnSync('systemctl', args, { encoding: 'utf8' });
  if (r.status !== 0) {
    const why = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n')[0];
    throw new AgentError('service_install_failed', `systemctl ${args.join(' ')} failed: ${why}`);
  }
}
