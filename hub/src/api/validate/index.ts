export { validateChatRequest, CHAT_REQUEST_FIELDS, type ChatRequest } from './validateChatRequest.ts';
export { validateCompletionRequest, COMPLETION_REQUEST_FIELDS, type CompletionRequest } from './validateCompletionRequest.ts';
export { validateEmbeddingRequest, EMBEDDING_REQUEST_FIELDS, MAX_EMBEDDING_INPUTS, type EmbeddingRequest, type EmbeddingEncoding } from './validateEmbeddingRequest.ts';
