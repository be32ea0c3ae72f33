import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAgentError } from '../errors/index.ts';
import { deleteCredentials, readCredentials, requireCredentials, writeCredentials } from './credentials.ts';

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
