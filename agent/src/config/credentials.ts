import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { AgentError } from '../errors/index.ts';
import { homeLayout } from './homeLayout.ts';
import { writePrivateFile } from './privateFile.ts';

/** What `porten login` collects and every other command needs: which hub, which node, and its secret. */
export interface Credentials {
  hub_url: string;
  node_id: string;
  credential: string;
}

/** The stored credential, or undefined when there is none. A file that is not a credential is an error, not "logged out". */
export function readCredentials(home: string): Credentials | undefined {
  const path = homeLayout(home).credentials;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new AgentError('config_invalid', `cannot read ${path} (${(err as Error).message}): check its owner and permissions`);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    v = undefined;
  }
  const c = v as Partial<Credentials> | undefined;
  if (typeof c !== 'object' || c === null || typeof c.hub_url !== 'string' || typeof c.node_id !== 'string' || typeof c.credential !== 'string') {
    throw new AgentError('config_invalid', `${path} is not a porten credential file: run \`porten logout\` and \`porten login\` again`);
  }
  return { hub_url: c.hub_url, node_id: c.node_id, credential: c.credential };
}

/** Stores the credential 0600 in a 0700 PORTEN_HOME. */
export function writeCredentials(home: string, credentials: Credentials): string {
  const path = homeLayout(home).credentials;
  writePrivateFile(path, `${JSON.stringify(credentials, null, 2)}\n`);
  chmodSync(home, 0o700); // an existing PORTEN_HOME is narrowed too: it now holds a secret
  return path;
}

/** Deletes the stored credential; false when there was none. */
export function deleteCredentials(home: string): boolean {
  const path = homeLayout(home).credentials;
  try {
    rmSync(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new AgentError('config_invalid', `cannot delete ${path} (${(err as Error).message})`);
  }
}

/** The stored credential, or a `not_logged_in` error saying how to get one. */
export function requireCredentials(home: string): Credentials {
  const c = readCredentials(home);
  if (!c) throw new AgentError('not_logged_in', `this machine is not enrolled (no credential in ${home}): run \`porten login --hub URL\` first`);
  return c;
}
