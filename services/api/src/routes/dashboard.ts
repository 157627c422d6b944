import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { Router, type RequestHandler } from 'express';
import type { ApiContext } from '../context';
import { HttpError } from '../http-error';
import { labelRoute } from '../http-metrics';

export const DASHBOARD_PATH = '/admin/queues';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Browsers resend Basic credentials on their own, so a page elsewhere could make one retry or
 * delete jobs here. Changes are refused unless the browser says they come from this origin.
 */
const sameOriginChanges: RequestHandler = (req, _res, next) => {
  if (!SAFE_METHODS.has(req.method) && req.headers['sec-fetch-site'] === 'cross-site') {
    throw new HttpError(403, 'cross_site_request', 'dashboard changes must come from the dashboard itself');
  }
  next();
};

/** Bull Board on the three queues, retries enabled, behind Basic auth with an admin token. */
export function dashboardRoutes(ctx: ApiContext): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: ctx.producer.allQueues().map((queue) => new BullMQAdapter(queue, { readOnlyMode: false, allowRetries: true })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Bullpen', sortQueues: false } },
  });
  const router = Router();
  router.use(
    DASHBOARD_PATH,
    (_req, res, next) => {
      labelRoute(res, DASHBOARD_PATH);
      next();
    },
    ctx.mw.dashboard,
    sameOriginChanges,
    serverAdapter.getRouter() as RequestHandler,
  );
  return router;
}
