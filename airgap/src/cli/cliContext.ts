import type { DockerEngine } from '../dockerEngine.ts';
import type { Progress } from '../progress.ts';

/** What main.ts read from the environment and hands to every command (only main reads process.env). */
export interface CliContext {
  argv: string[];
  out: (line: string) => void;
  progress: Progress;
  /** Builds the engine client lazily (keygen, verify and inspect never touch Docker). */
  engine: () => DockerEngine;
  siteDir: string;
  /** SOURCE_DATE_EPOCH, when set. */
  sourceDateEpoch: string | undefined;
  /** The repository (compose files, node_modules) when running from source; undefined in the executable. */
  repoRoot: string | undefined;
  now: () => Date;
}
