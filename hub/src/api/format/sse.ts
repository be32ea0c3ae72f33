/** One server-sent event carrying `payload` as JSON: `data: {...}\n\n`. */
export function sseEvent(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}

/** The event that ends every OpenAI stream. */
export const SSE_DONE = 'data: [DONE]\n\n';
