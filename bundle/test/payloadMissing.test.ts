import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExecutable } from '@porten/agent/cli/agentProcess';
import { writeCredentials } from '@porten/agent/config';
import { copyRelease, ensureBuilt, minimalEnv } from './builtRelease.ts';

/**
 * The agent executable installed without its native payload refuses to start the builtin engine
 * with one line naming the folder it looked in and what to do — before it connects anywhere.
 */
describe('built agent without porten-payload/', () => {
  let dir: string;
  let home: string;
  beforeAll(() => {
    ensureBuilt();
    dir = copyRelease(['porten'], 'porten-nopayload-');
    home = join(dir, 'home');
    // A credential for a hub that is not there: `porten run` must stop before it would connect.
    writeCredentials(home, { hub_url: 'http://127.0.0.1:9', node_id: 'n-1', credential: 'porten-node-test' });
  }, 600_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const run = (executable: string) => runExecutable(executable, ['run'], minimalEnv({ PORTEN_HOME: home }), { cwd: dir });
  const hint = 'unpack porten-payload.tar.gz beside the executable (install.sh from the hub does both), or use an external engine with PORTEN_ENGINE=openai';

  it('says the payload folder does not exist, exit 1, one line', async () => {
    const r = await run(join(dir, 'porten'));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `porten: the builtin engine's llama.cpp payload is missing: ${dir}/porten-payload does not exist (it ships beside ${dir}/porten as porten-payload.tar.gz); ${hint}\n`,
    );
  });

  it('names the packages an incomplete payload lacks', async () => {
    mkdirSync(join(dir, 'porten-payload', 'node_modules'), { recursive: true });
    try {
      const r = await run(join(dir, 'porten'));
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringContaining(`${dir}/porten-payload lacks node-llama-cpp, @node-llama-cpp/linux-x64`)]);
    } finally {
      rmSync(join(dir, 'porten-payload'), { recursive: true, force: true });
    }
  });

  it('looks beside the real executable when started through a symlink (/usr/local/bin/porten → /opt/porten/porten)', async () => {
    const bin = realpathSync(mkdtempSync(join(tmpdir(), 'porten-bin-')));
    try {
      symlinkSync(join(dir, 'porten'), join(bin, 'porten'));
      const r = await run(join(bin, 'porten'));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${dir}/porten-payload does not exist`);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
