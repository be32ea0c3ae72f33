import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { knownMigrations } from './index.ts';

/** The migration list is complete and ordered; nothing is read from disk at run time. */
describe('known migrations', () => {
  it('lists every NNNN_name.ts module of the folder once, versions 1, 2, 3… in order', () => {
    const files = readdirSync(import.meta.dirname).filter((f) => /^\d{4}_.*\.ts$/.test(f) && !f.endsWith('.test.ts'));
    const known = knownMigrations();
    expect(known.map((m) => `${String(m.version).padStart(4, '0')}_${m.name}.ts`)).toEqual(files.sort());
    expect(known.map((m) => m.version)).toEqual(known.map((_, i) => i + 1));
    for (const m of known) expect(m.sql).toMatch(/create|alter|drop|insert|update/i);
  });

  it('keeps no .sql files: one would be silently ignored (migrations are modules, see index.ts)', () => {
    expect(readdirSync(import.meta.dirname).filter((f) => f.endsWith('.sql'))).toEqual([]);
  });
});
