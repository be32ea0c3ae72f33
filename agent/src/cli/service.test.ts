import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeCredentials } from '../config/index.ts';
import { runAgent } from './agentProcess.ts';
import { renderUnit } from './systemdUnit.ts';

describe('porten service install', () => {
  it('writes porten.service into --dir with the PORTEN_* settings baked in, the API key moved to a 0600 file', async () => {
    const base = mkdtempSync(join(tmpdir(), 'porten-service-'));
    const home = join(base, 'home');
    const dir = join(base, 'units');
    writeCredentials(home, { hub_url: 'http://hub.example:8080', node_id: 'n1', credential: 'porten-node-x' });
    const r = await runAgent(['service', 'install', '--dir', dir, '--user', 'porten'], {
      PATH: process.env.PATH ?? '',
      HOME: base,
      PORTEN_HOME: home,
      PORTEN_ENGINE: 'openai',
      PORTEN_UPSTREAM_URL: 'http://127.0.0.1:8000/v1',
      PORTEN_UPSTREAM_API_KEY: 'sk-secret 100%',
      PORTEN_UPSTREAM_MODELS: 'qwen=Qwen/Qwen2.5 7B',
      PORTEN_DRAIN_TIMEOUT_MS: '60000',
      UNRELATED: 'not baked',
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const path = join(dir, 'porten.service');
    expect(r.stdout).toContain(`wrote ${path}`);
    expect(r.stdout).toContain(`copy ${path} to /etc/systemd/system/`);
    const unit = readFileSync(path, 'utf8');
    const keyFile = join(home, 'upstream-api-key');
    expect(unit).toContain(`ExecStart=${process.execPath} ${join(import.meta.dirname, '..', 'main.ts')} run\n`);
    expect(unit.split('\n').filter((l) => l.startsWith('Environment='))).toEqual([
      `Environment=PORTEN_HOME=${home}`,
      'Environment=PORTEN_ENGINE=openai',
      'Environment=PORTEN_UPSTREAM_URL=http://127.0.0.1:8000/v1',
      `Environment=PORTEN_UPSTREAM_API_KEY_FILE=${keyFile}`,
      'Environment="PORTEN_UPSTREAM_MODELS=qwen=Qwen/Qwen2.5 7B"',
      'Environment=PORTEN_DRAIN_TIMEOUT_MS=60000',
    ]);
    expect(unit).not.toContain('sk-secret');
    expect(unit).not.toContain('UNRELATED');
    expect(unit).toContain('User=porten\n');
    expect(unit).toContain('TimeoutStopSec=90\n');
    expect(unit).toContain('RestartPreventExitStatus=2 3\n');
    expect(unit).toContain('WantedBy=multi-user.target\n');
    expect(readFileSync(keyFile, 'utf8')).toBe('sk-secret 100%\n');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
  });

  it('refuses without a credential, and says why it cannot write', async () => {
    const base = mkdtempSync(join(tmpdir(), 'porten-service-'));
    const none = await runAgent(['service', 'install', '--dir', base], { PATH: process.env.PATH ?? '', PORTEN_HOME: join(base, 'home') });
    expect(none.code).toBe(3);
    expect(none.stderr.trim().split('\n')).toEqual([expect.stringContaining('porten login --hub URL')]);

    const home = join(base, 'home2');
    writeCredentials(home, { hub_url: 'http://hub', node_id: 'n1', credential: 'c' });
    const blocked = await runAgent(['service', 'install', '--dir', join(home, 'credentials.json', 'units')], { PATH: process.env.PATH ?? '', PORTEN_HOME: home });
    expect(blocked.code).toBe(1);
    expect(blocked.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^porten: cannot write .*porten\.service \(ENOTDIR/)]);
  });
});

describe('systemd unit rendering', () => {
  it('quotes values with spaces, quotes or backslashes, and escapes % specifiers', () => {
    const unit = renderUnit({ execStart: ['/opt/porten dir/porten', 'run'], environment: [['A', 'x "y" \\z %n']], user: undefined, stopTimeoutS: undefined });
    expect(unit).toContain('ExecStart="/opt/porten dir/porten" run\n');
    expect(unit).toContain('Environment="A=x \\"y\\" \\\\z %%n"\n');
    expect(unit).toContain('TimeoutStopSec=infinity\n');
    expect(unit).not.toContain('User=');
  });
});
