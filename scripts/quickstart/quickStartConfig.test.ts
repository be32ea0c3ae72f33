import { describe, expect, it } from 'vitest';
import { AirgapError } from '@porten/airgap/airgapError';
import { loadQuickStartConfig } from './quickStartConfig.ts';

describe('loadQuickStartConfig', () => {
  it('defaults to .porten in the repository, project porten, port 8080', () => {
    expect(loadQuickStartConfig({}, '/repo')).toEqual({ siteDir: '/repo/.porten', project: 'porten', hubPort: 8080 });
  });

  it('takes the site directory, project and port from the environment', () => {
    expect(loadQuickStartConfig({ PORTEN_SITE_DIR: '/srv/site', PORTEN_PROJECT: 'eu-site_2', PORTEN_HUB_PORT: '18080' }, '/repo')).toEqual({ siteDir: '/srv/site', project: 'eu-site_2', hubPort: 18080 });
  });

  it('refuses a port that is not a port and a project Compose cannot name, all at once', () => {
    let err: unknown;
    try {
      loadQuickStartConfig({ PORTEN_HUB_PORT: '80x', PORTEN_PROJECT: 'Bad Name' }, '/repo');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AirgapError);
    expect((err as AirgapError).code).toBe('site_invalid');
    expect((err as AirgapError).message).toBe(
      'invalid settings: PORTEN_PROJECT=Bad Name is not a Compose project name (lowercase letters, digits, - and _, starting with a letter or digit); PORTEN_HUB_PORT=80x is not a whole number between 1 and 65535; fix them in the environment and run again',
    );
  });

  it('refuses port 0 and ports above 65535', () => {
    for (const port of ['0', '65536']) expect(() => loadQuickStartConfig({ PORTEN_HUB_PORT: port }, '/repo')).toThrow(`PORTEN_HUB_PORT=${port} is not a whole number between 1 and 65535`);
  });
});
