import { parseArgs, type ParseArgsConfig } from 'node:util';
import { AirgapError } from '../airgapError.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, strict, with unknown or malformed options turned into a one-line usage error. */
export function parseOptions<T extends Options>(command: string, argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new AirgapError('usage', `portenctl airgap ${command}: ${(err as Error).message.split('\n')[0]}; see portenctl airgap --help`);
  }
}

export function required(command: string, value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new AirgapError('usage', `portenctl airgap ${command} needs ${flag}; see portenctl airgap --help`);
  return value;
}
