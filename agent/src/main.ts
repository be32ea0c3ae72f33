#!/usr/bin/env node
/**
 * `porten` — the node agent's command line and composition entry point (commands: `porten help`).
 * The only module that reads the process environment: it hands `process.env` to the commands, which
 * validate it once through agent/src/config. Exit codes: 0 ok, 1 failed, 2 bad usage or
 * configuration, 3 no usable credential, 130 interrupted. The executable's internal entries (the
 * engine child, payload scripts) are dispatched first: see cli/internalEntry.ts.
 *
 * No top-level await: the single executable's bundle is CommonJS.
 */
import { internalEntry } from './cli/internalEntry.ts';
import { runCli } from './cli/runCli.ts';
import { text } from './cli/text.ts';

const argv = process.argv.slice(2);
const internal = internalEntry(argv);
if (internal) {
  internal().catch((err: unknown) => {
    console.error(text.bug(err instanceof Error ? (err.stack ?? err.message) : String(err)));
    process.exit(1);
  });
} else {
  void runCli(argv, process.env, { stdout: process.stdout, stderr: process.stderr }).then((code) => process.exit(code));
}
