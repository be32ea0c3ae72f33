import { execFile } from 'node:child_process';
import { availableParallelism, cpus, hostname, release, totalmem } from 'node:os';

export interface GpuInfo {
  name: string;
  vram_mb: number;
  vram_free_mb: number;
}

/** What the machine has. Sent to the hub as informational inventory at enrollment; never policy. */
export interface Hardware {
  hostname: string;
  os: string;
  arch: string;
  cpu: { model: string; cores: number };
  memory_mb: number;
  gpus: GpuInfo[];
}

export interface VramBudget {
  mb: number;
  source: 'PORTEN_VRAM_BUDGET_MB' | 'gpu' | 'ram';
}

/** Share of RAM a CPU-only node lets models use, leaving the rest to the OS and the agent. */
const RAM_SHARE = 0.75;

/**
 * Detects the machine's CPU, memory and NVIDIA GPUs. `nvidia-smi` is optional: when it is missing
 * or fails the node simply has no GPUs listed (a CPU-only node), never an error.
 */
export async function detectHardware(nvidiaSmi = 'nvidia-smi'): Promise<Hardware> {
  const cpuList = cpus();
  return {
    hostname: hostname(),
    os: `${process.platform} ${release()}`,
    arch: process.arch,
    cpu: { model: cpuList[0]?.model.trim() ?? 'unknown', cores: availableParallelism() },
    memory_mb: Math.floor(totalmem() / 1024 / 1024),
    gpus: await queryNvidiaGpus(nvidiaSmi),
  };
}

/** The memory models may use: the operator's PORTEN_VRAM_BUDGET_MB, else all GPU memory, else 75% of RAM. */
export function vramBudget(configured: number | undefined, hw: Hardware): VramBudget {
  if (configured !== undefined) return { mb: configured, source: 'PORTEN_VRAM_BUDGET_MB' };
  const gpu = hw.gpus.reduce((sum, g) => sum + g.vram_mb, 0);
  if (gpu > 0) return { mb: gpu, source: 'gpu' };
  return { mb: Math.floor(hw.memory_mb * RAM_SHARE), source: 'ram' };
}

function queryNvidiaGpus(binary: string): Promise<GpuInfo[]> {
  return new Promise((resolve) => {
    execFile(binary, ['--query-gpu=name,memory.total,memory.free', '--format=csv,noheader,nounits'], { timeout: 5000 }, (err, stdout) => {
      if (err) {
        resolve([]);
        return;
      }
      resolve(parseNvidiaSmi(stdout));
    });
  });
}

/** Parses `nvidia-smi --query-gpu=name,memory.total,memory.free --format=csv,noheader,nounits` output. */
export function parseNvidiaSmi(stdout: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const line of stdout.split('\n')) {
    const cols = line.split(',').map((c) => c.trim());
    if (cols.length < 3) continue;
    const total = Number(cols[cols.length - 2]);
    const free = Number(cols[cols.length - 1]);
    if (!Number.isFinite(total) || !Number.isFinite(free)) continue;
    gpus.push({ name: cols.slice(0, -2).join(','), vram_mb: total, vram_free_mb: free });
  }
  return gpus;
}
