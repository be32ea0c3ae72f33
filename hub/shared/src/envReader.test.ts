import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createEnvReader, loadSettings } from './envReader.ts';

describe('loadSettings', () => {
  it('returns the settings when every value is valid', () => {
    expect(loadSettings({ N: '5' }, 'bench', (read) => ({ n: read.int('N', 1, 1), mode: read.oneOf('M', ['a', 'b'], 'a') }))).toEqual({ n: 5, mode: 'a' });
  });

  it('names every problem in one line and exits 2 before the command starts', () => {
    const script = `import { loadSettings } from ${JSON.stringify(new URL('./envReader.ts', import.meta.url).pathname)};
      loadSettings(process.env, 'npm run bench:x', (read) => ({ n: read.int('N', 1, 1), m: read.oneOf('M', ['on', 'off'], 'on') }));
      console.log('started');`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { PATH: process.env.PATH, N: '4x', M: 'maybe' }, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('npm run bench:x: invalid settings: N=4x is not a whole number between 1 and 9007199254740991; M=maybe must be one of on, off; fix them in the environment and run again\n');
  });

  it('the readers push problems instead of throwing', () => {
    const problems: string[] = [];
    const read = createEnvReader({ P: '0' }, problems);
    expect(read.int('P', 8080, 1, 65535)).toBe(8080);
    expect(problems).toEqual(['P=0 is not a whole number between 1 and 65535']);
  });
});
