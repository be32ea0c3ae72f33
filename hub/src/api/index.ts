import { Router } from 'express';
import { jsonBody } from '../http/jsonBody.ts';
import { HubError } from '../errors/index.ts';
import { authenticateKey } from './authenticateKey.ts';
import { chatCompletionsRoute } from './chatCompletionsRoute.ts';
import { completionsRoute } from './completionsRoute.ts';
import { embeddingsRoute } from './embeddingsRoute.ts';
import { getModelRoute, listModelsRoute } from './modelsRoutes.ts';
import type { ApiContext } from './routeContext.ts';
import { requestMetrics } from './requestMetrics.ts';
import { warmingRoute } from './warmingRoute.ts';

export type { ApiContext } from './routeContext.ts';

/**
 * The OpenAI-compatible surface. Order per request: arrival time → key (401) → body size/JSON (413/400)
 * → validation (400 + param) → catalog (404, capability 400) → router (403 allow-list, 429, 503).
 */
export function createOpenAIRouter(ctx: ApiContext): Router {
  const router = Router();
  const json = jsonBody({ limit: ctx.deps.config.maxBodyBytes, strict: true, anyContentType: true });
  const auth = authenticateKey(ctx.directory);

  router.get('/public/v1/models/warming', warmingRoute(ctx.directory, ctx.placement));

  router.use('/v1', requestMetrics(ctx.deps.metrics));
  router.get('/v1/models', auth, listModelsRoute(ctx));
  router.get('/v1/models/:id', auth, getModelRoute(ctx));
  router.post('/v1/chat/completions', auth, ...json, chatCompletionsRoute(ctx));
  router.post('/v1/completions', auth, ...json, completionsRoute(ctx));
  router.post('/v1/embeddings', auth, ...json, embeddingsRoute(ctx));
  router.all('/v1/{*rest}', (req) => {
    throw new HubError('not_found', `Unknown endpoint ${req.method} ${req.path}. This hub serves /v1/chat/completions, /v1/completions, /v1/embeddings and /v1/models.`);
  });
  return router;
}
