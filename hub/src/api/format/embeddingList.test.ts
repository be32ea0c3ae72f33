import { describe, expect, it } from 'vitest';
import { assertMatchesSchema, schemaErrors } from '../../../test/openaiSchemas.ts';
import { embeddingList } from './embeddingList.ts';

const vectors = [
  [0.5, -2, 1e-7],
  [3.25, 0, -0.125],
];

describe('embeddingList', () => {
  it('builds an official CreateEmbeddingResponse with float vectors in input order', () => {
    const body = embeddingList({ model: 'nomic-embed', embeddings: vectors, prompt_tokens: 6 });
    assertMatchesSchema('CreateEmbeddingResponse', body);
    expect(body).toStrictEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: vectors[0] },
        { object: 'embedding', index: 1, embedding: vectors[1] },
      ],
      model: 'nomic-embed',
      usage: { prompt_tokens: 6, total_tokens: 6 },
    });
  });

  it('encodes base64 as little-endian float32 bytes', () => {
    const body = embeddingList({ model: 'nomic-embed', embeddings: [[1, -2.5]], prompt_tokens: 1, encoding_format: 'base64' });
    const bytes = Buffer.from(body.data[0]?.embedding as string, 'base64');
    expect([...bytes]).toEqual([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0]);
  });

  it('round-trips base64 to the float32 values; the schema, which types embedding as numbers only, differs only there', () => {
    const body = embeddingList({ model: 'nomic-embed', embeddings: vectors, prompt_tokens: 6, encoding_format: 'base64' });
    const decoded = body.data.map((d) => {
      const b = Buffer.from(d.embedding as string, 'base64');
      return Array.from({ length: b.length / 4 }, (_, i) => b.readFloatLE(i * 4));
    });
    expect(decoded).toEqual(vectors.map((v) => [...Float32Array.from(v)]));
    expect(schemaErrors('CreateEmbeddingResponse', body).every((e) => /^\/data\/\d\/embedding /.test(e))).toBe(true);
  });

  it('builds an empty list for no inputs', () => {
    assertMatchesSchema('CreateEmbeddingResponse', embeddingList({ model: 'm', embeddings: [], prompt_tokens: 0 }));
  });
});
