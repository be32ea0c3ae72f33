import { readFile } from 'node:fs/promises';
import { arch, availableParallelism, cpus, hostname, platform, release, totalmem } from 'node:os';
import { queryNvidiaGpus } from './queryNvidiaGpus.ts';
import type { HardwareInventory } from './types.ts';

export interface InventoryOptions {
  /** Environment for `nvidia-smi`; default: the agent's. */
  env?: NodeJS.ProcessEnv;
  /** Where the distribution's name is read from; default `/etc/os-release`. */
  osReleasePath?: string;
}

/**
 * What `porten login` sends with an enrollment: hostname, OS, CPU model and usable cores (what the
 * engine sizes its threads from: `availableParallelism`, which honours CPU affinity), total RAM and
 * NVIDIA GPUs. Never fails: a part that cannot be read is reported empty.
 */
export async function collectInventory(options: InventoryOptions = {}): Promise<HardwareInventory> {
  const [gpus, distro] = await Promise.all([
    queryNvidiaGpus(options.env === undefined ? {} : { env: options.env }),
    readDistro(options.osReleasePath ?? '/etc/os-release'),
  ]);
  return {
    hostname: hostname(),
    os: { platform: platform(), release: release(), arch: arch(), distro },
    cpu: { model: cpus()[0]?.model.trim() || 'unknown', cores: availableParallelism() },
    memory_mb: Math.floor(totalmem() / 2 ** 20),
    gpus,
  };
}

/** `PRETTY_NAME` from os-release (`Debian GNU/Linux 12 (bookworm)`), or null. */
async function readDistro(path: string): Promise<string | null> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const m = /^PRETTY_NAME=(?:"([^"]*)"|(.*))$/m.exec(text);
  return m ? (m[1] ?? m[2] ?? '').trim() || null : null;
}
