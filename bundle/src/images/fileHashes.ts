/**
 * sha256 of files, remembered across runs so that a warm `build:images` does not re-read the
 * executables (≈ 250 MB) every time. A remembered hash is reused only while the file's identity is
 * unchanged — device, inode, size, mtime and ctime: replacing a file (the bundle renames new
 * outputs into place) or writing it in place changes ctime, which no copy tool can set back.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

interface Remembered {
  identity: string;
  sha256: string;
}

export class FileHashes {
  private readonly memoPath: string | undefined;
  private readonly memo = new Map<string, Remembered>();
  private changed = false;

  /** Without a memo file, hashes are remembered for this process only. */
  constructor(memoPath?: string) {
    this.memoPath = memoPath;
    if (memoPath && existsSync(memoPath)) {
      try {
        const saved = JSON.parse(readFileSync(memoPath, 'utf8')) as Record<string, Remembered>;
        for (const [path, entry] of Object.entries(saved)) this.memo.set(path, entry);
      } catch {
        // An unreadable memo only costs re-hashing.
      }
    }
  }

  async sha256(path: string): Promise<string> {
    const abs = resolve(path);
    const st = statSync(abs, { bigint: true });
    const identity = `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
    const known = this.memo.get(abs);
    if (known?.identity === identity) return known.sha256;
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(abs)) hash.update(chunk as Buffer);
    const sha256 = hash.digest('hex');
    this.memo.set(abs, { identity, sha256 });
    this.changed = true;
    return sha256;
  }

  /** Writes the memo file (only files still present are kept). */
  save(): void {
    if (!this.memoPath || !this.changed) return;
    const kept = Object.fromEntries([...this.memo].filter(([path]) => existsSync(path)));
    mkdirSync(dirname(this.memoPath), { recursive: true });
    writeFileSync(this.memoPath, `${JSON.stringify(kept)}\n`);
    this.changed = false;
  }
}
