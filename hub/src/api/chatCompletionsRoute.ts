import type { Request, Response } from 'express';
import type { EngineCapability } from '@porten/shared/protocol';
import { ChatStreamAccumulator, chatCompletionId } from './format/index.ts';
import { relayResponse } from './relayResponse.ts';
import { resolveModel } from './resolveModel.ts';
import type { ApiContext } from './routeContext.ts';
import { validateChatRequest } from './validate/index.ts';

/** `POST /v1/chat/completions`, JSON or SSE. */
export function chatCompletionsRoute(ctx: ApiContext) {
  return async (req: Request, res: Response): Promise<void> => {
    const chat = validateChatRequest(req.body);
    const model = await resolveModel(ctx.directory, chat.model, [
      { capability: 'chat', param: 'model', what: 'chat completions' },
      ...(chat.wants_tools ? [{ capability: 'tools' as const, param: 'tools', what: 'tool calling' }] : []),
      ...(chat.vision ? [{ capability: 'vision' as const, param: 'messages', what: 'image inputs' }] : []),
    ]);
    const needs: EngineCapability[] = chat.wants_tools ? ['chat', 'tools'] : ['chat'];
    const acc = new ChatStreamAccumulator({
      id: chatCompletionId(),
      created: Math.floor(Date.now() / 1000),
      model: model.id,
      includeUsage: chat.include_usage,
    });
    await relayResponse(
      ctx,
      res,
      { model, needs, build: (id) => ({ type: 'request', id, kind: 'chat', model: model.id, params: chat.params }) },
      acc,
      chat.stream,
    );
  };
}
