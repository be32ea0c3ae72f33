import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AdminClient } from './adminClient.ts';

/** Puts a GGUF file in the catalog and the hub's mirror as `id` (skipped when the catalog already holds exactly this file). */
export async function ensureCatalogModel(admin: AdminClient, id: string, ggufPath: string): Promise<{ sha256: string; imported: boolean }> {
  const bytes = readFileSync(ggufPath);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const existing = await admin.call('GET', `/models/${id}`, undefined, [404]);
  if (existing.status === 200 && existing.body.sha256 === sha256) return { sha256, imported: false };
  await admin.call('PUT', `/models/${id}/weights?sha256=${sha256}&capabilities=chat,completions&context_length=512`, new Uint8Array(bytes));
  return { sha256, imported: true };
}
