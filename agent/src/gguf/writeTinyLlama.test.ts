import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHATML_TEMPLATE, readGgufHeader, writeTinyLlama } from './index.ts';

const dir = mkdtempSync(join(tmpdir(), 'porten-gguf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('writeTinyLlama', () => {
  it('writes a GGUF v3 llama model that reads back with every key llama.cpp needs and the tensors a llama block has', async () => {
    const path = join(dir, 'tiny.gguf');
    const written = await writeTinyLlama(path, { seed: 3, layers: 2, embedding: 64, heads: 4, kvHeads: 2, feedForward: 96 });
    expect(written.size_bytes).toBe(statSync(path).size);
    expect(written.sha256).toBe(createHash('sha256').update(readFileSync(path)).digest('hex'));

    const h = await readGgufHeader(path);
    expect(h.version).toBe(3);
    const md = Object.fromEntries(h.metadata);
    expect(md).toMatchObject({
      'general.architecture': 'llama',
      'general.name': 'porten-tiny-llama',
      'general.file_type': 0,
      'llama.context_length': 2048,
      'llama.embedding_length': 64,
      'llama.block_count': 2,
      'llama.feed_forward_length': 96,
      'llama.attention.head_count': 4,
      'llama.attention.head_count_kv': 2,
      'llama.rope.dimension_count': 16,
      'tokenizer.ggml.model': 'gpt2',
      'tokenizer.chat_template': CHATML_TEMPLATE,
      'tokenizer.ggml.merges': [],
    });
    expect(md['llama.attention.layer_norm_rms_epsilon']).toBeCloseTo(1e-5, 8);

    // Byte-level vocabulary: 256 byte tokens in GPT-2 spelling, then the ChatML special tokens.
    const tokens = md['tokenizer.ggml.tokens'] as string[];
    expect(tokens).toHaveLength(259);
    expect(new Set(tokens.slice(0, 256)).size).toBe(256);
    expect(tokens[0x41]).toBe('A');
    expect(tokens[0x20]).toBe('Ġ'); // GPT-2 spells the space byte U+0120
    expect(tokens.slice(256)).toEqual(['<|endoftext|>', '<|im_start|>', '<|im_end|>']);
    expect((md['tokenizer.ggml.token_type'] as number[]).slice(255)).toEqual([1, 3, 3, 3]);
    expect(md['tokenizer.ggml.eos_token_id']).toBe(258);

    const shapes = Object.fromEntries(h.tensors.map((t) => [t.name, t.dims]));
    expect(shapes).toMatchObject({
      'token_embd.weight': [64, 259],
      'blk.1.attn_norm.weight': [64],
      'blk.1.attn_q.weight': [64, 64],
      'blk.1.attn_k.weight': [64, 32],
      'blk.1.attn_v.weight': [64, 32],
      'blk.1.attn_output.weight': [64, 64],
      'blk.1.ffn_norm.weight': [64],
      'blk.1.ffn_gate.weight': [64, 96],
      'blk.1.ffn_up.weight': [64, 96],
      'blk.1.ffn_down.weight': [96, 64],
      'output_norm.weight': [64],
      'output.weight': [64, 259],
    });
    expect(h.tensors).toHaveLength(3 + 2 * 9);
    for (const t of h.tensors) {
      expect(t.type).toBe(0);
      expect(t.offset % 32).toBe(0);
    }
    expect(h.dataOffset % 32).toBe(0);
    const last = h.tensors.at(-1)!;
    expect(h.dataOffset + last.offset + 64 * 259 * 4).toBe(h.fileSize);
  });

  it('is deterministic for a seed, and another seed gives other weights', async () => {
    const a = await writeTinyLlama(join(dir, 'a.gguf'), { seed: 42 });
    const b = await writeTinyLlama(join(dir, 'b.gguf'), { seed: 42 });
    const c = await writeTinyLlama(join(dir, 'c.gguf'), { seed: 43 });
    expect(a.sha256).toBe(b.sha256);
    expect(c.sha256).not.toBe(a.sha256);
    expect(c.size_bytes).toBe(a.size_bytes);
    // The default model stays small enough for fast tests.
    expect(a.size_bytes).toBeLessThan(4 * 1024 * 1024);
  });

  it('writes F16 tensors at half the size, and drops or replaces metadata on request', async () => {
    const path = join(dir, 'f16.gguf');
    const f32 = await writeTinyLlama(join(dir, 'f32.gguf'));
    const f16 = await writeTinyLlama(path, {
      tensorType: 'f16',
      metadataOverrides: { 'llama.attention.head_count': null, 'general.name': { type: 'string', value: 'renamed' } },
    });
    expect(f16.size_bytes).toBeLessThan(f32.size_bytes * 0.55);
    const h = await readGgufHeader(path);
    expect(h.tensors.every((t) => t.type === 1)).toBe(true);
    expect(h.metadata.get('general.file_type')).toBe(1);
    expect(h.metadata.has('llama.attention.head_count')).toBe(false);
    expect(h.metadata.get('general.name')).toBe('renamed');
  });

  it('reader refuses a file that is not GGUF and one cut off inside its header', async () => {
    const good = await writeTinyLlama(join(dir, 'cut-source.gguf'));
    const cut = join(dir, 'cut.gguf');
    const notGguf = join(dir, 'not.gguf');
    writeFileSync(cut, readFileSync(good.path).subarray(0, 1000));
    writeFileSync(notGguf, 'hello, this is text');
    await expect(readGgufHeader(cut)).rejects.toThrow(/file ends inside the header/);
    await expect(readGgufHeader(notGguf)).rejects.toThrow(/not a GGUF file/);
  });

  it('generateTinyModel CLI writes the demo model and prints its digest; a bad flag is one line and exit 2', () => {
    const cli = join(import.meta.dirname, 'generateTinyModel.ts');
    const out = join(dir, 'demo.gguf');
    const ok = spawnSync(process.execPath, [cli, out, '--seed', '7'], { encoding: 'utf8' });
    expect(ok.status).toBe(0);
    const printed = JSON.parse(ok.stdout) as { path: string; sha256: string; size_bytes: number };
    expect(printed.path).toBe(out);
    expect(printed.sha256).toBe(createHash('sha256').update(readFileSync(out)).digest('hex'));

    const bad = spawnSync(process.execPath, [cli, out, '--seed', 'x'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.split('\n')[0]).toMatch(/--seed takes a whole number/);
  });
});
