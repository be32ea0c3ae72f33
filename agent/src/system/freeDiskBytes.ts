import { statfs } from 'node:fs/promises';

/** Bytes an unprivileged process may still write on the filesystem holding `dir` (statfs bavail). */
export async function freeDiskBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return s.bavail * s.bsize;
}
