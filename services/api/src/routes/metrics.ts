import { Router } from 'express';
import type { ApiContext } from '../context';

/** Prometheus scrape endpoint; queue gauges are read from Redis during the scrape. */
export function metricsRoutes(ctx: ApiContext): Router {
  const router = Router();
  const { register } = ctx;
  router.get('/metrics', async (_req, res) => {
    const text = await register.metrics();
    res.type(register.contentType).send(text);
  });
  return router;
}
