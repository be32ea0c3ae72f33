/**
 * A byte-level vocabulary for llama.cpp's `gpt2` (byte-level BPE) tokenizer: one token per byte,
 * spelled the way GPT-2 spells bytes (printable Latin-1 as itself, every other byte as a code
 * point from U+0100 up), and no merges — so every byte of a text is exactly one token, and a
 * prompt of N bytes is N prompt tokens. The special tokens after the 256 bytes are the ones the
 * ChatML template needs.
 */

/** llama.cpp token types. */
export const TOKEN_TYPE = { normal: 1, unknown: 2, control: 3, userDefined: 4, unused: 5, byte: 6 } as const;

export const SPECIAL_TOKENS = {
  endOfText: '<|endoftext|>',
  imStart: '<|im_start|>',
  imEnd: '<|im_end|>',
} as const;

export interface ByteVocabulary {
  tokens: string[];
  tokenTypes: number[];
  bosId: number;
  eosId: number;
  /** End of turn (ChatML's `<|im_end|>`). */
  eotId: number;
  /** Token ids of the byte values 0x20–0x7E and `\n`: what the tiny model is made to emit. */
  printableIds: number[];
}

/** ChatML, as Qwen and many other models ship it: the model's `tokenizer.chat_template`. */
export const CHATML_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

export function byteVocabulary(): ByteVocabulary {
  const tokens = gpt2ByteSpelling();
  const tokenTypes: number[] = tokens.map(() => TOKEN_TYPE.normal);
  const add = (text: string) => {
    tokens.push(text);
    tokenTypes.push(TOKEN_TYPE.control);
    return tokens.length - 1;
  };
  const endOfText = add(SPECIAL_TOKENS.endOfText);
  add(SPECIAL_TOKENS.imStart);
  const imEnd = add(SPECIAL_TOKENS.imEnd);
  const printableIds = [0x0a];
  for (let b = 0x20; b <= 0x7e; b++) printableIds.push(b);
  return { tokens, tokenTypes, bosId: endOfText, eosId: imEnd, eotId: imEnd, printableIds };
}

/** GPT-2's `bytes_to_unicode`: token i is the spelling of byte i. */
function gpt2ByteSpelling(): string[] {
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const out: string[] = [];
  let next = 0;
  for (let b = 0; b < 256; b++) out.push(String.fromCodePoint(printable(b) ? b : 256 + next++));
  return out;
}
