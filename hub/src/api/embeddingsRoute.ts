import type { Request, Response } from 'express';
import { embeddingList } from './format/index.ts';
import { relayResponse } from './relayResponse.ts';
import { resolveModel } from './resolveModel.ts';
import type { ApiContext } from './routeContext.ts';
import { validateEmbeddingRequest } from './validate/index.ts';

/** `POST /v1/embeddings` on models that declare `embeddings`. */
export function embeddingsRoute(ctx: ApiContext) {
  return async (req: Request, res: Response): Promise<void> => {
    const body = validateEmbeddingRequest(req.body);
    const model = await resolveModel(ctx.directory, body.model, [{ capability: 'embeddings', param: 'model', what: 'embeddings' }]);
    let vectors: number[][] = [];
    await relayResponse(
      ctx,
      res,
      { model, needs: ['embeddings'], build: (id) => ({ type: 'request', id, kind: 'embedding', model: model.id, params: { input: body.input } }) },
      {
        push: () => [],
        finish: () => [],
        onResult: (m) => {
          vectors = m.embeddings;
        },
        completion: (done) => embeddingList({ model: model.id, embeddings: vectors, prompt_tokens: done.usage.prompt_tokens, encoding_format: body.encoding_format }),
      },
      false,
    );
  };
}
