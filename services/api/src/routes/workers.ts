import { Router } from 'express';
import type { ApiContext } from '../context';

export function workerRoutes(ctx: ApiContext): Router {
  const router = Router();
  const body = JSON.stringify({ workers: ctx.workers });
  router.get('/api/workers', ctx.mw.client, (_req, res) => {
    res.type('application/json').send(body);
  });
  return router;
}
