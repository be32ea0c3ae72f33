import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BundleError } from './bundleError.ts';
import { runChecked, runCommand } from './runCommand.ts';

describe('runCommand (zx)', () => {
  it('passes arguments to the program as they are: spaces, quotes and $ untouched', async () => {
    const res = await runCommand('printf', ['%s|', 'a b', "c'd", '$HOME', '`id`']);
    expect(res).toEqual({ code: 0, stdout: "a b|c'd|$HOME|`id`|", stderr: '', missing: false });
  });

  it('returns a non-zero exit with its output instead of throwing', async () => {
    const res = await runCommand('sh', ['-c', 'echo out; echo err >&2; exit 3']);
    expect(res).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n', missing: false });
  });

  it('says when the program is not installed', async () => {
    const res = await runCommand('porten-no-such-tool', ['x']);
    expect(res.missing).toBe(true);
    await expect(runChecked('porten-no-such-tool', ['x'])).rejects.toThrow(new BundleError('command_failed', 'porten-no-such-tool is not installed (not found on PATH); install it (apt-get install porten-no-such-tool) and run again'));
  });

  it('kills a program that outlives its timeout (the program itself, not only a shell around it)', async () => {
    const started = Date.now();
    const res = await runCommand('sleep', ['29.25'], { timeoutMs: 200 });
    expect(res.code).not.toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(spawnSync('pgrep', ['-f', '^sleep 29.25$']).status).toBe(1); // 1: no such process
  });

  it('appends the command line and its output to the log file; quietStdout keeps data out of it', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'run-')), 'logs', 'build.log');
    await runCommand('sh', ['-c', 'echo visible; echo warning >&2'], { logFile: log });
    await runCommand('sh', ['-c', 'echo secret-data'], { logFile: log, quietStdout: true });
    const text = readFileSync(log, 'utf8');
    expect(text).toContain('$ sh -c "echo visible; echo warning >&2"\nvisible\nwarning\n');
    expect(text).toContain('$ sh -c "echo secret-data"\n');
    expect(text).not.toContain('secret-data\n');
  });

  it('fails runChecked with the tail of stderr', async () => {
    await expect(runChecked('sh', ['-c', 'echo one >&2; echo two >&2; exit 2'])).rejects.toThrow('sh -c failed (exit 2): one | two');
  });
});
