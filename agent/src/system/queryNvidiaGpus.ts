import { execFile } from 'node:child_process';
import type { GpuInfo } from './types.ts';

/**
 * The arguments given to `nvidia-smi`: total memory first (MiB, no units), then the name, so a name
 * with a comma in it cannot shift the number.
 */
export const NVIDIA_SMI_ARGS = ['--query-gpu=memory.total,name', '--format=csv,noheader,nounits'];

export interface QueryGpusOptions {
  /** Environment for the child (its PATH decides which `nvidia-smi` runs); default: the agent's. */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

/**
 * The NVIDIA GPUs on this machine, from `nvidia-smi` found on PATH. Returns [] when the tool is
 * absent, fails (no driver loaded) or times out: a machine without a usable GPU is not an error,
 * it serves from RAM. Lines that do not parse are skipped.
 */
export function queryNvidiaGpus(options: QueryGpusOptions = {}): Promise<GpuInfo[]> {
  return new Promise((resolve) => {
    execFile('nvidia-smi', NVIDIA_SMI_ARGS, { env: options.env, timeout: options.timeoutMs ?? 5_000, encoding: 'utf8' }, (err, stdout) => {
      resolve(err ? [] : parseNvidiaSmi(stdout));
    });
  });
}

/** Parses `memory.total,name` CSV lines (`24576, NVIDIA L4`). */
export function parseNvidiaSmi(stdout: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const line of stdout.split('\n')) {
    const comma = line.indexOf(',');
    const mb = Number((comma < 0 ? line : line.slice(0, comma)).trim());
    if (line.trim() === '' || !Number.isFinite(mb) || mb <= 0) continue;
    gpus.push({ vram_mb: Math.floor(mb), name: comma < 0 ? 'NVIDIA GPU' : line.slice(comma + 1).trim() || 'NVIDIA GPU' });
  }
  return gpus;
}
