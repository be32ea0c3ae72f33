import { AgentError } from '../../errors/index.ts';
import { GgufFormatError, readGgufHeader } from '../../gguf/index.ts';

/**
 * Metadata whose absence makes llama.cpp abort the whole process (GGML_ASSERT) instead of failing
 * the load, per architecture (found by trying). Checked before loading so that the operator gets a
 * message naming the key; anything else that aborts is still contained by the child process.
 */
const FATAL_WHEN_MISSING: Record<string, string[]> = {
  llama: ['feed_forward_length', 'attention.head_count'],
};

/**
 * Reads the GGUF header and refuses files that are not GGUF or would abort llama.cpp, with a message
 * that says why. Truncated tensor data is left to llama.cpp, which reports it clearly.
 */
export async function checkGguf(path: string, modelId: string): Promise<void> {
  let header;
  try {
    header = await readGgufHeader(path);
  } catch (err) {
    const why = err instanceof GgufFormatError ? err.message : (err as Error).message;
    throw new AgentError('load_failed', `cannot load ${modelId}: ${path} is not a readable GGUF file (${why})`, { cause: err });
  }
  const arch = header.metadata.get('general.architecture');
  if (typeof arch !== 'string') throw new AgentError('load_failed', `cannot load ${modelId}: the GGUF has no general.architecture`);
  const missing = (FATAL_WHEN_MISSING[arch] ?? []).map((k) => `${arch}.${k}`).filter((k) => !header.metadata.has(k));
  if (missing.length > 0) {
    throw new AgentError('load_failed', `cannot load ${modelId}: the GGUF lacks ${missing.join(' and ')}, which llama.cpp needs; re-export the model`);
  }
}
