import { Router } from 'express';
import type { ApiContext } from '../context';
import { buildOpenApi } from '../openapi';

/** `/openapi.json`, generated once from the request/response schemas and the registry. */
export function openapiRoutes(ctx: ApiContext): Router {
  const router = Router();
  const body = JSON.stringify(buildOpenApi(ctx.workers));
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(body);
  });
  return router;
}
