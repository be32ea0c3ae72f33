import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { detectVramBudget, NVIDIA_SMI_ARGS, parseNvidiaSmi, RAM_BUDGET_SHARE } from './index.ts';
import { installFakeNvidiaSmi, type FakeNvidiaSmi } from '../../test/support/fakeNvidiaSmi.ts';

const GiB = 2 ** 30;
let fake: FakeNvidiaSmi | undefined;
afterEach(async () => {
  await fake?.remove();
  fake = undefined;
});

describe('detectVramBudget', () => {
  it('sums memory.total over every GPU the nvidia-smi first on PATH lists', async () => {
    fake = await installFakeNvidiaSmi(process.env, '24576, NVIDIA L4\n81920, NVIDIA A100-SXM4-80GB');
    const budget = await detectVramBudget({ env: fake.env, totalRamBytes: 64 * GiB });
    expect(budget).toEqual({
      mb: 24576 + 81920,
      source: 'nvidia',
      gpus: [
        { name: 'NVIDIA L4', vram_mb: 24576 },
        { name: 'NVIDIA A100-SXM4-80GB', vram_mb: 81920 },
      ],
    });
    expect((await readFile(fake.argsLog, 'utf8')).trim()).toBe(NVIDIA_SMI_ARGS.join(' '));
  });

  it('takes 75 % of total RAM when there is no nvidia-smi', async () => {
    fake = await installFakeNvidiaSmi(process.env, null);
    expect(RAM_BUDGET_SHARE).toBe(0.75);
    expect(await detectVramBudget({ env: fake.env, totalRamBytes: 16 * GiB })).toEqual({ mb: 12288, source: 'ram', gpus: [] });
  });

  it('falls back to RAM when nvidia-smi fails (driver not loaded)', async () => {
    fake = await installFakeNvidiaSmi(process.env, 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.', 9);
    expect(await detectVramBudget({ env: fake.env, totalRamBytes: 8 * GiB })).toMatchObject({ mb: 6144, source: 'ram' });
  });

  it('uses the machine RAM by default', async () => {
    fake = await installFakeNvidiaSmi(process.env, null);
    const { totalmem } = await import('node:os');
    expect(await detectVramBudget({ env: fake.env })).toMatchObject({ mb: Math.floor((totalmem() * 0.75) / 2 ** 20), source: 'ram' });
  });

  it('an operator override wins over the GPUs and is validated', async () => {
    fake = await installFakeNvidiaSmi(process.env, '24576, NVIDIA L4');
    expect(await detectVramBudget({ env: fake.env, overrideMb: 4000 })).toEqual({ mb: 4000, source: 'override', gpus: [{ name: 'NVIDIA L4', vram_mb: 24576 }] });
    await expect(detectVramBudget({ env: fake.env, overrideMb: 0 })).rejects.toThrow(/positive whole number/);
  });
});

describe('parseNvidiaSmi', () => {
  it('keeps names with commas whole and skips lines that do not parse', () => {
    expect(parseNvidiaSmi('16384, Tesla T4, rev 2\n[N/A], broken\n\n8192\n')).toEqual([
      { vram_mb: 16384, name: 'Tesla T4, rev 2' },
      { vram_mb: 8192, name: 'NVIDIA GPU' },
    ]);
  });
});
