import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Renames `from` to `to` so that, once this resolves, a crash leaves either the old state or the
 * complete new file: the file's data is flushed first, the rename after, then the folder entry.
 */
export async function renameDurably(from: string, to: string): Promise<void> {
  const fh = await open(from, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(from, to);
  await syncDirectory(dirname(to));
}

/** Flushes a folder's entries: a rename into it is on disk once this resolves. */
export async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
