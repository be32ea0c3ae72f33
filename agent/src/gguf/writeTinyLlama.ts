import type { GgmlWritableType, GgufValue } from './ggufFormat.ts';
import { CHATML_TEMPLATE, byteVocabulary } from './byteVocabulary.ts';
import { SeededRandom } from './seededRandom.ts';
import { writeGguf, type GgufTensor, type WrittenFile } from './writeGguf.ts';

export interface TinyLlamaOptions {
  /** Weights are a pure function of the seed and the shape (default 1). */
  seed?: number;
  /** Transformer blocks (default 2). */
  layers?: number;
  /** Embedding width (default 128); a multiple of `heads`. */
  embedding?: number;
  /** Attention heads (default 4) and key/value heads (default 2: grouped-query attention). */
  heads?: number;
  kvHeads?: number;
  /** Feed-forward width (default 256). */
  feedForward?: number;
  /** Trained context length the metadata claims (default 2048). */
  contextLength?: number;
  /** Tensor storage (default `f32`). */
  tensorType?: GgmlWritableType;
  /** `general.name` (default `porten-tiny-llama`). */
  name?: string;
  /**
   * Metadata to replace (a value) or leave out (`null`) — for tests that need a malformed model.
   * A llama GGUF without `llama.feed_forward_length` or `llama.attention.head_count` aborts the
   * process that loads it; so does `llama.attention.head_count_kv` = 0.
   */
  metadataOverrides?: Record<string, GgufValue | null>;
}

/**
 * Writes a tiny but complete llama-architecture GGUF: byte-level `gpt2` vocabulary, ChatML chat
 * template, seeded random F32 weights. Its output is meaningless, but loading, templating,
 * tokenising, sampling and streaming all take llama.cpp's real paths.
 *
 * The output projection only has weights for printable ASCII and `\n`; every other token's row is
 * zero. Random logits of the printable tokens then nearly always beat the others, so the model
 * writes plain text and practically never ends a turn by itself: `max_tokens` is always reached
 * and tests decide when generation stops (stop sequences, cancellation). Same options, same bytes.
 */
export async function writeTinyLlama(path: string, options: TinyLlamaOptions = {}): Promise<WrittenFile> {
  const o = {
    seed: options.seed ?? 1,
    layers: options.layers ?? 2,
    embedding: options.embedding ?? 128,
    heads: options.heads ?? 4,
    kvHeads: options.kvHeads ?? 2,
    feedForward: options.feedForward ?? 256,
    contextLength: options.contextLength ?? 2048,
    tensorType: options.tensorType ?? 'f32',
    name: options.name ?? 'porten-tiny-llama',
  };
  if (o.embedding % o.heads !== 0) throw new Error(`embedding ${o.embedding} is not a multiple of heads ${o.heads}`);
  if (o.heads % o.kvHeads !== 0) throw new Error(`heads ${o.heads} is not a multiple of kvHeads ${o.kvHeads}`);
  const headDim = o.embedding / o.heads;
  const vocab = byteVocabulary();

  const u32 = (value: number): GgufValue => ({ type: 'u32', value });
  const metadata: [string, GgufValue][] = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: o.name }],
    ['general.file_type', u32(o.tensorType === 'f32' ? 0 : 1)],
    ['general.alignment', u32(32)],
    ['llama.context_length', u32(o.contextLength)],
    ['llama.embedding_length', u32(o.embedding)],
    ['llama.block_count', u32(o.layers)],
    ['llama.feed_forward_length', u32(o.feedForward)],
    ['llama.attention.head_count', u32(o.heads)],
    ['llama.attention.head_count_kv', u32(o.kvHeads)],
    ['llama.rope.dimension_count', u32(headDim)],
    ['llama.rope.freq_base', { type: 'f32', value: 10000 }],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'f32', value: 1e-5 }],
    ['llama.vocab_size', u32(vocab.tokens.length)],
    ['tokenizer.ggml.model', { type: 'string', value: 'gpt2' }],
    ['tokenizer.ggml.pre', { type: 'string', value: 'default' }],
    ['tokenizer.ggml.tokens', { type: 'array', itemType: 'string', value: vocab.tokens }],
    ['tokenizer.ggml.token_type', { type: 'array', itemType: 'i32', value: vocab.tokenTypes }],
    ['tokenizer.ggml.merges', { type: 'array', itemType: 'string', value: [] }],
    ['tokenizer.ggml.bos_token_id', u32(vocab.bosId)],
    ['tokenizer.ggml.eos_token_id', u32(vocab.eosId)],
    ['tokenizer.ggml.eot_token_id', u32(vocab.eotId)],
    ['tokenizer.ggml.padding_token_id', u32(vocab.bosId)],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: false }],
    ['tokenizer.ggml.add_eos_token', { type: 'bool', value: false }],
    ['tokenizer.chat_template', { type: 'string', value: CHATML_TEMPLATE }],
  ];

  const rng = new SeededRandom(o.seed);
  const n = o.embedding;
  const kv = headDim * o.kvHeads;
  const tensor = (name: string, dims: number[], data: Float32Array): GgufTensor => ({ name, dims, type: o.tensorType, data });
  const ones = (len: number) => new Float32Array(len).fill(1);
  // Weights scaled by 1/√fan-in keep activations around unit size through the blocks.
  const matrix = (name: string, cols: number, rows: number) => tensor(name, [cols, rows], rng.fill(cols * rows, 1 / Math.sqrt(cols)));

  const tensors: GgufTensor[] = [tensor('token_embd.weight', [n, vocab.tokens.length], rng.fill(n * vocab.tokens.length, 1))];
  for (let b = 0; b < o.layers; b++) {
    tensors.push(
      tensor(`blk.${b}.attn_norm.weight`, [n], ones(n)),
      matrix(`blk.${b}.attn_q.weight`, n, n),
      matrix(`blk.${b}.attn_k.weight`, n, kv),
      matrix(`blk.${b}.attn_v.weight`, n, kv),
      matrix(`blk.${b}.attn_output.weight`, n, n),
      tensor(`blk.${b}.ffn_norm.weight`, [n], ones(n)),
      matrix(`blk.${b}.ffn_gate.weight`, n, o.feedForward),
      matrix(`blk.${b}.ffn_up.weight`, n, o.feedForward),
      matrix(`blk.${b}.ffn_down.weight`, o.feedForward, n),
    );
  }
  tensors.push(tensor('output_norm.weight', [n], ones(n)), tensor('output.weight', [n, vocab.tokens.length], outputProjection(rng, n, vocab.tokens.length, vocab.printableIds)));

  return writeGguf(path, applyOverrides(metadata, options.metadataOverrides ?? {}), tensors);
}

/** Rows of printable tokens random (logits with a spread of about 4), every other row zero. */
function outputProjection(rng: SeededRandom, n: number, vocabSize: number, printableIds: number[]): Float32Array {
  const out = new Float32Array(n * vocabSize);
  for (const id of printableIds) out.set(rng.fill(n, 4 / Math.sqrt(n)), id * n);
  return out;
}

function applyOverrides(metadata: [string, GgufValue][], overrides: Record<string, GgufValue | null>): [string, GgufValue][] {
  const out = metadata.flatMap(([k, v]): [string, GgufValue][] => {
    const o = overrides[k];
    return o === null ? [] : [[k, o ?? v]];
  });
  for (const [k, v] of Object.entries(overrides)) if (v !== null && !metadata.some(([key]) => key === k)) out.push([k, v]);
  return out;
}
