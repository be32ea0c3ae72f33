import type { Request, Response } from 'express';
import { TextCompletionAccumulator, textCompletionId } from './format/index.ts';
import { relayResponse } from './relayResponse.ts';
import { resolveModel } from './resolveModel.ts';
import type { ApiContext } from './routeContext.ts';
import { validateCompletionRequest } from './validate/index.ts';

/** `POST /v1/completions` (legacy text completions), JSON or SSE, on models that declare `completions`. */
export function completionsRoute(ctx: ApiContext) {
  return async (req: Request, res: Response): Promise<void> => {
    const body = validateCompletionRequest(req.body);
    const model = await resolveModel(ctx.directory, body.model, [{ capability: 'completions', param: 'model', what: 'text completions' }]);
    const acc = new TextCompletionAccumulator({
      id: textCompletionId(),
      created: Math.floor(Date.now() / 1000),
      model: model.id,
      includeUsage: body.include_usage,
    });
    await relayResponse(
      ctx,
      res,
      { model, needs: ['completions'], build: (id) => ({ type: 'request', id, kind: 'completion', model: model.id, params: body.params }) },
      acc,
      body.stream,
    );
  };
}
