import { describe, expect, it } from 'vitest';
import { assertMatchesSchema } from '../../../test/openaiSchemas.ts';
import type { CatalogModel } from '../../store/types.ts';
import { modelList, modelObject } from './modelList.ts';

const model = (id: string, overrides: Partial<CatalogModel> = {}): CatalogModel => ({
  id,
  format: 'gguf',
  sha256: 'ab'.repeat(32),
  size_bytes: 4_000_000_000,
  context_length: 32768,
  capabilities: ['chat', 'tools'],
  memory_mb: 6000,
  enabled: true,
  created_at: '2026-01-02T03:04:05.000Z',
  updated_at: '2026-01-02T03:04:05.000Z',
  ...overrides,
});

describe('modelObject / modelList', () => {
  it('builds an official Model owned by porten, with capabilities and context length added', () => {
    const body = modelObject(model('qwen2.5-7b'));
    assertMatchesSchema('Model', body);
    expect(body).toStrictEqual({ id: 'qwen2.5-7b', object: 'model', created: 1767323045, owned_by: 'porten', capabilities: ['chat', 'tools'], context_length: 32768 });
  });

  it('takes an explicit created time', () => {
    expect(modelObject(model('m'), 42).created).toBe(42);
  });

  it('accepts created_at as the Date the database driver may return', () => {
    expect(modelObject(model('m', { created_at: new Date('2026-01-02T03:04:05Z') as unknown as string })).created).toBe(1767323045);
  });

  it('builds an official ListModelsResponse in the order given', () => {
    const body = modelList([model('b', { capabilities: ['embeddings'] }), model('a')]);
    assertMatchesSchema('ListModelsResponse', body);
    expect(body.object).toBe('list');
    expect(body.data.map((m) => [m.id, m.capabilities])).toEqual([['b', ['embeddings']], ['a', ['chat', 'tools']]]);
    assertMatchesSchema('ListModelsResponse', modelList([]));
  });
});
