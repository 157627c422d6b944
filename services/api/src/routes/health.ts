import { Router } from 'express';
import type { ApiContext } from '../context';
import { HttpError } from '../http-error';

/**
 * Open to all: `/healthz` says the process serves HTTP, `/readyz` that Redis takes writes (it
 * answers, is not a replica, not loading, not out of memory; see `redisWriteProblem` in core).
 */
export function healthRoutes(ctx: ApiContext): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const reason = await ctx.redisWriteProblem();
    if (reason) throw new HttpError(503, 'not_ready', `not ready: ${reason}`);
    res.json({ status: 'ready' });
  });
  return router;
}
