import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '@porten/shared/writeFileAtomic';

/**
 * Writes `content` so that only the owner can read it, at every moment: the directory is created
 * 0700, the file is written 0600 under a temporary name and renamed into place (a reader never sees
 * a half-written file, and an existing file with looser permissions is replaced, not reused).
 */
export function writePrivateFile(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileAtomic(path, content, { mode: 0o600 });
}
