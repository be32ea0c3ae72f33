/**
 * `node agent/src/gguf/generateTinyModel.ts <out.gguf> [--seed N]`: writes the quick start's demo
 * model (a tiny llama GGUF with random weights: it loads and streams, and says nothing meaningful)
 * and prints its path, sha256 and size as one JSON line, ready for a catalog import.
 */
import { resolve } from 'node:path';
import { writeTinyLlama } from './writeTinyLlama.ts';

const USAGE = 'usage: generateTinyModel.ts <out.gguf> [--seed N]';

function parseArgs(argv: string[]): { out: string; seed: number } {
  let out: string | undefined;
  let seed = 1;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--seed') {
      const value = argv[++i];
      if (value === undefined || !/^\d+$/.test(value) || Number(value) > 0xffffffff) throw new Error(`--seed takes a whole number from 0 to 4294967295, got ${value ?? 'nothing'}`);
      seed = Number(value);
    } else if (arg.startsWith('-')) {
      throw new Error(`unknown flag ${arg}`);
    } else if (out === undefined) {
      out = arg;
    } else {
      throw new Error(`unexpected argument ${arg}`);
    }
  }
  if (out === undefined) throw new Error('missing the output path');
  return { out: resolve(out), seed };
}

if (import.meta.main) {
  let args: { out: string; seed: number };
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  try {
    console.log(JSON.stringify(await writeTinyLlama(args.out, { seed: args.seed })));
  } catch (err) {
    console.error(`cannot write ${args.out}: ${(err as Error).message}`);
    process.exit(1);
  }
}
