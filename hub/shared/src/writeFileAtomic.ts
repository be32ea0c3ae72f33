import { closeSync, fchmodSync, fsyncSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface AtomicWriteOptions {
  /** The file's exact mode (the umask does not narrow it), e.g. 0o600 for secrets. Default 0o644. */
  mode?: number;
  /** Flush the data before the rename and the folder entry after it: a crash then leaves the old file or the whole new one, never an empty one. */
  durable?: boolean;
}

/**
 * Writes `content` to `path` through a temporary file in the same folder, renamed into place: a
 * reader sees the old file or the complete new one, never a half-written file, and an existing file
 * with looser permissions is replaced rather than reused. The one write-then-rename of the tree.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array, opts: AtomicWriteOptions = {}): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const mode = opts.mode ?? 0o644;
  try {
    const fd = openSync(tmp, 'w', mode);
    try {
      writeFileSync(fd, content);
      fchmodSync(fd, mode);
      if (opts.durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  if (opts.durable) {
    const dir = openSync(dirname(path), 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
  }
}
