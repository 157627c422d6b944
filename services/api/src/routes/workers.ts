import { Router } from 'express';
import { principalOf } from '../auth';
import type { ApiContext } from '../context';

/** The workers the caller's token may enqueue (a scoped token sees only its own, clients no internal ones). */
export function workerRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/api/workers', ctx.mw.client, (_req, res) => {
    res.type('application/json').send(ctx.workersBodyOf(principalOf(res)));
  });
  return router;
}
