import { loadConfig, type AgentConfig } from '../config/index.ts';
import { AgentError, isAgentError, type AgentErrorCode } from '../errors/index.ts';
import type { CommandContext, Env } from './commandContext.ts';
import { HINTS, text, USAGE } from './text.ts';

export interface CliIo {
  stdout: { write(s: string): void; isTTY?: boolean };
  stderr: { write(s: string): void };
}

type Command = (ctx: CommandContext) => Promise<number>;

/** Commands, each imported only when run (`porten status` never loads the engines or ws server code it does not need). */
const COMMANDS: Record<string, () => Promise<Command>> = {
  login: async () => (await import('./commands/login.ts')).login,
  run: async () => (await import('./commands/run.ts')).run,
  status: async () => (await import('./commands/status.ts')).status,
  service: async () => (await import('./commands/service.ts')).service,
  logout: async () => (await import('./commands/logout.ts')).logout,
};

/** Exit codes: 0 ok, 1 failed, 2 bad usage or configuration, 3 no usable credential (systemd does not restart on 2 and 3). */
const EXIT: Partial<Record<AgentErrorCode, number>> = {
  usage: 2,
  config_invalid: 2,
  not_logged_in: 3,
  credential_rejected: 3,
};

/**
 * Runs one `porten` command and returns its exit code. Every failure becomes exactly one line on
 * stderr — the error's message and what to do — except unexpected errors, which say they are a bug.
 */
export async function runCli(argv: string[], env: Env, io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  const out = (line: string) => io.stdout.write(`${line}\n`);
  const err = (line: string) => io.stderr.write(`${line}\n`);
  try {
    if (name === 'version' || name === '--version' || name === '-v') {
      out(text.version());
      return 0;
    }
    if (name === 'help' || name === '--help' || name === '-h') {
      out(USAGE);
      return 0;
    }
    if (name === undefined) throw new AgentError('usage', text.missingCommand());
    const load = COMMANDS[name];
    if (!load) throw new AgentError('usage', text.unknownCommand(name));
    let config: AgentConfig | undefined;
    const ctx: CommandContext = {
      argv: rest,
      env,
      config: () => (config ??= loadConfig(env)),
      out,
      err,
      progress: { write: (s) => io.stdout.write(s), isTTY: io.stdout.isTTY === true },
    };
    return await (await load())(ctx);
  } catch (e) {
    if (isAgentError(e)) {
      err(text.errorLine(e.message, HINTS[e.code]));
      return EXIT[e.code] ?? 1;
    }
    err(text.bug(e instanceof Error ? (e.stack ?? e.message) : String(e)));
    return 1;
  }
}
