#!/usr/bin/env node
/**
 * `porten` — the node agent's command line and composition entry point (commands: `porten help`).
 * The only module that reads the process environment: it hands `process.env` to the commands, which
 * validate it once through agent/src/config. Exit codes: 0 ok, 1 failed, 2 bad usage or
 * configuration, 3 no usable credential, 130 interrupted.
 */
import { runCli } from './cli/runCli.ts';

const code = await runCli(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr });
process.exit(code);
