import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes `content` so that only the owner can read it, at every moment: the directory is created
 * 0700, the file is written 0600 under a temporary name and renamed into place (a reader never sees
 * a half-written file, and an existing file with looser permissions is replaced, not reused).
 */
export function writePrivateFile(path: string, content: string): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  chmodSync(tmp, 0o600); // the umask may have narrowed it further, never widened; make it exact
  renameSync(tmp, path);
}
