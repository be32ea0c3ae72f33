import type { ChatHistoryItem, ChatWrapper, LlamaModel, Token } from 'node-llama-cpp';
import { AgentError } from '../../errors/index.ts';

export interface ChatPrompt {
  tokens: Token[];
  /** Stop triggers of the template that are plain text (special-token triggers are EOG tokens). */
  templateStops: string[];
}

/**
 * Renders OpenAI chat messages with the model's chat template (node-llama-cpp picks the wrapper
 * equivalent to the GGUF's `tokenizer.chat_template`, or runs the Jinja template itself) and
 * tokenises the result, special tokens included, ending with the assistant's generation prompt.
 */
export function chatPrompt(model: LlamaModel, wrapper: ChatWrapper, messages: unknown[]): ChatPrompt {
  const chatHistory: ChatHistoryItem[] = messages.map((m, i) => toHistoryItem(m, i));
  chatHistory.push({ type: 'model', response: [] });
  const state = wrapper.generateContextState({ chatHistory });
  const templateStops = state.stopGenerationTriggers
    .filter((t) => t.values.length > 0 && t.values.every((v) => typeof v === 'string'))
    .map((t) => t.toString())
    .filter((s) => s !== '');
  return { tokens: state.contextText.tokenize(model.tokenizer), templateStops };
}

function toHistoryItem(message: unknown, index: number): ChatHistoryItem {
  const m = message as { role?: unknown; content?: unknown } | null;
  const where = `messages[${index}]`;
  if (typeof m !== 'object' || m === null) throw new AgentError('invalid_request', `${where} is not an object`);
  const text = contentText(m.content, where);
  switch (m.role) {
    case 'system':
    case 'developer':
      return { type: 'system', text };
    case 'user':
      return { type: 'user', text };
    case 'assistant':
      return { type: 'model', response: [text] };
    default:
      throw new AgentError('invalid_request', `${where}.role ${JSON.stringify(m.role)} is not supported by the builtin engine (system, developer, user, assistant)`);
  }
}

/** A message's content: a string, null (assistant), or text parts; other parts (images, audio) are refused. */
function contentText(content: unknown, where: string): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (Array.isArray(content)) {
    return content
      .map((part: { type?: unknown; text?: unknown }, i) => {
        if (part?.type === 'text' && typeof part.text === 'string') return part.text;
        throw new AgentError('invalid_request', `${where}.content[${i}] of type ${JSON.stringify(part?.type)} is not supported by the builtin engine (text only)`);
      })
      .join('');
  }
  throw new AgentError('invalid_request', `${where}.content must be a string or an array of text parts`);
}
