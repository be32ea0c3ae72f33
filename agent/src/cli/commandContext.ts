import type { AgentConfig } from '../config/index.ts';

export type Env = Record<string, string | undefined>;

/** What a command gets from the composition root: its arguments, the environment once, and where to write. */
export interface CommandContext {
  /** The command's own arguments (after the command name). */
  argv: string[];
  /** The environment main.ts read; commands hand it on (config, nvidia-smi's PATH), never read process.env. */
  env: Env;
  /** The validated configuration (parsed on first use: `help` and `version` need none). */
  config(): AgentConfig;
  out(line: string): void;
  err(line: string): void;
  /** stdout for progress that redraws itself (spinner) on a terminal; plain lines otherwise. stderr stays for the one error line. */
  progress: { write(s: string): void; isTTY: boolean };
}
