import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAgentError } from '../errors/index.ts';
import { deleteCredentials, readCredentials, requireCredentials, writeCredentials } from './credentials.ts';
import { parseNvidiaSmi, vramBudget, type Hardware } from './detectHardware.ts';

describe('stored credential', () => {
  it('is written 0600 in a 0700 home, read back, and deleted', () => {
    const home = join(mkdtempSync(join(tmpdir(), 'porten-home-')), 'nested', '.porten');
    expect(readCredentials(home)).toBeUndefined();
    const path = writeCredentials(home, { hub_url: 'http://h', node_id: 'n1', credential: 'porten-node-x' });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(home).mode & 0o777).toBe(0o700);
    expect(readCredentials(home)).toEqual({ hub_url: 'http://h', node_id: 'n1', credential: 'porten-node-x' });
    expect(deleteCredentials(home)).toBe(true);
    expect(deleteCredentials(home)).toBe(false);
    expect(() => requireCredentials(home)).toThrow(/porten login --hub URL/);
  });

  it('treats a file that is not a credential as an error, not as logged out', () => {
    const home = mkdtempSync(join(tmpdir(), 'porten-home-'));
    writeFileSync(join(home, 'credentials.json'), '{"hub_url": 1}');
    let caught: unknown;
    try {
      readCredentials(home);
    } catch (err) {
      caught = err;
    }
    expect(isAgentError(caught, 'config_invalid')).toBe(true);
  });
});

describe('hardware', () => {
  const hw = (gpus: Hardware['gpus']): Hardware => ({ hostname: 'h', os: 'linux', arch: 'x64', cpu: { model: 'c', cores: 2 }, memory_mb: 16000, gpus });

  it('parses nvidia-smi CSV, names with commas included', () => {
    expect(parseNvidiaSmi('NVIDIA L4, 23034, 22500\nNVIDIA A100-SXM4-80GB, 81920, 80000\n\ngarbage\n')).toEqual([
      { name: 'NVIDIA L4', vram_mb: 23034, vram_free_mb: 22500 },
      { name: 'NVIDIA A100-SXM4-80GB', vram_mb: 81920, vram_free_mb: 80000 },
    ]);
  });

  it('budgets the operator setting first, then GPU memory, then 75% of RAM', () => {
    expect(vramBudget(5000, hw([{ name: 'g', vram_mb: 24000, vram_free_mb: 0 }]))).toEqual({ mb: 5000, source: 'PORTEN_VRAM_BUDGET_MB' });
    expect(vramBudget(undefined, hw([{ name: 'g', vram_mb: 24000, vram_free_mb: 0 }, { name: 'g', vram_mb: 8000, vram_free_mb: 0 }]))).toEqual({ mb: 32000, source: 'gpu' });
    expect(vramBudget(undefined, hw([]))).toEqual({ mb: 12000, source: 'ram' });
  });
});
