import { parseArgs } from 'node:util';
import { AgentError } from '../errors/index.ts';
import { text } from './text.ts';

type FlagSpec = Record<string, { type: 'string' | 'boolean' }>;
type Flags<S extends FlagSpec> = { [K in keyof S]?: S[K]['type'] extends 'string' ? string : boolean };

/**
 * Strict flag parsing for one command: an unknown flag, a missing value, a stray positional argument
 * or an empty string value is a `usage` error naming the command's usage (exit 2).
 */
export function parseFlags<S extends FlagSpec>(command: string, argv: string[], spec: S): Flags<S> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: argv, options: spec, strict: true, allowPositionals: false }));
  } catch (err) {
    // Node's first sentence names the problem; the rest is advice about `--` that does not apply here.
    throw new AgentError('usage', text.badFlags(command, (err as Error).message.split(/\.\s|\n/)[0] ?? 'bad flags'));
  }
  for (const [name, v] of Object.entries(values)) {
    if (v === '') throw new AgentError('usage', text.badFlags(command, `--${name} needs a value`));
  }
  return values as Flags<S>;
}
