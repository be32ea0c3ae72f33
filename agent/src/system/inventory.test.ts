import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, hostname, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectInventory } from './index.ts';
import { installFakeNvidiaSmi } from '../../test/support/fakeNvidiaSmi.ts';

describe('collectInventory', () => {
  it('describes this machine: hostname, OS, CPU, RAM and the GPUs nvidia-smi lists', async () => {
    const fake = await installFakeNvidiaSmi(process.env, '24576, NVIDIA L4');
    const dir = await mkdtemp(join(tmpdir(), 'porten-osrel-'));
    try {
      const osRelease = join(dir, 'os-release');
      await writeFile(osRelease, 'NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n');
      const inv = await collectInventory({ env: fake.env, osReleasePath: osRelease });
      expect(inv.hostname).toBe(hostname());
      expect(inv.os).toMatchObject({ platform: process.platform, arch: process.arch, distro: 'Debian GNU/Linux 12 (bookworm)' });
      expect(inv.cpu.cores).toBe(availableParallelism());
      expect(inv.cpu.model.length).toBeGreaterThan(0);
      expect(inv.memory_mb).toBe(Math.floor(totalmem() / 2 ** 20));
      expect(inv.gpus).toEqual([{ name: 'NVIDIA L4', vram_mb: 24576 }]);
      expect(JSON.parse(JSON.stringify(inv))).toEqual(inv);
    } finally {
      await fake.remove();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports no GPUs and no distro when neither can be read', async () => {
    const fake = await installFakeNvidiaSmi(process.env, null);
    try {
      const inv = await collectInventory({ env: fake.env, osReleasePath: '/nonexistent/os-release' });
      expect(inv.gpus).toEqual([]);
      expect(inv.os.distro).toBeNull();
    } finally {
      await fake.remove();
    }
  });
});
