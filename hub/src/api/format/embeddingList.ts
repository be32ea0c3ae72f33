import type { EmbeddingList } from './types.ts';

export interface EmbeddingListInput {
  model: string;
  /** One vector per input, in input order. */
  embeddings: readonly (readonly number[])[];
  prompt_tokens: number;
  encoding_format?: 'float' | 'base64';
}

/**
 * An embeddings response (official CreateEmbeddingResponse). With `base64`, each vector is its
 * float32 values as little-endian bytes, base64-encoded — the format the official SDKs decode.
 */
export function embeddingList(input: EmbeddingListInput): EmbeddingList {
  const base64 = input.encoding_format === 'base64';
  return {
    object: 'list',
    data: input.embeddings.map((vector, index) => ({ object: 'embedding', index, embedding: base64 ? float32Base64(vector) : [...vector] })),
    model: input.model,
    usage: { prompt_tokens: input.prompt_tokens, total_tokens: input.prompt_tokens },
  };
}

/** Little-endian whatever the machine's byte order (a Float32Array view would use the host's). */
function float32Base64(vector: readonly number[]): string {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  for (let i = 0; i < vector.length; i++) bytes.writeFloatLE(vector[i] as number, i * 4);
  return bytes.toString('base64');
}
