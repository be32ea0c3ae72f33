import { describe, expect, it } from 'vitest';
import { CrashWitness } from './crashWitness.ts';

function witness(stderr: string): CrashWitness {
  const w = new CrashWitness();
  for (const line of stderr.split('\n')) w.observe(line);
  return w;
}

// What llama.cpp printed on a minimal Debian 12 machine (no gdb) when a GGUF had head_count_kv = 0.
const ASSERT_THEN_FRAMES = [
  'llama_model_loader: loaded meta data with 22 key-value pairs and 12 tensors from kv0.gguf (version GGUF V3 (latest))',
  '/home/runner/llama.cpp/src/llama-hparams.cpp:42: GGML_ASSERT(n_head_kv > 0) failed',
  'ptrace: Operation not permitted.',
  'No stack.',
  'The program is not being run.',
  ...Array.from({ length: 30 }, (_, i) => `/usr/lib/x86_64-linux-gnu/libc.so.6(+0x${(0x1098ec + i).toString(16)})[0x7f3a${i}c2098ec]`),
  '/tmp/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/libggml-base.so(ggml_abort+0x150)[0x7f3a9c2f0e30]',
  '',
].join('\n');

describe('CrashWitness', () => {
  it('reports the GGML_ASSERT line, not the backtrace frames printed after it (however many)', () => {
    expect(witness(ASSERT_THEN_FRAMES).reason()).toBe('/home/runner/llama.cpp/src/llama-hparams.cpp:42: GGML_ASSERT(n_head_kv > 0) failed');
  });

  it('reports "error loading model" when llama.cpp gives up on a file', () => {
    const stderr = [
      'llama_model_load: error loading model: tensor \'blk.0.attn_q.weight\' data is not within the file bounds',
      'llama_model_load_from_file_impl: failed to load model',
      'libc.so.6(+0x29d90)[0x7f00aa229d90]',
    ].join('\n');
    // The last failure line wins; both name the failure, and the frame after them does not.
    expect(witness(stderr).reason()).toBe('llama_model_load_from_file_impl: failed to load model');
    expect(witness(stderr.split('\n').slice(0, 1).join('\n') + '\n./node[0x40a1b2]').reason()).toMatch(/^llama_model_load: error loading model: /);
  });

  it('falls back to the last line that is not a frame when none names a failure', () => {
    expect(witness('loading weights\nout of memory in ggml_new_tensor\n#0  0x00007f12 in raise ()\nlibc.so.6(+0x1)[0x2]').reason()).toBe('out of memory in ggml_new_tensor');
  });

  it('says nothing when the process said nothing (or only frames)', () => {
    expect(new CrashWitness().reason()).toBeUndefined();
    expect(witness('\n\nlibc.so.6(+0x1098ec)[0x7f0000000000]\n').reason()).toBeUndefined();
  });
});
