import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { ControllerHandlerReturnType } from '@bull-board/api/typings/app';
import { ExpressAdapter } from '@bull-board/express';
import { redisRefusal, type RedisRefusal } from '@bullpen/core';
import { Router, type ErrorRequestHandler, type RequestHandler, type Response } from 'express';
import type { ApiContext } from '../context';
import { redisUnavailable } from '../errors';
import { HttpError } from '../http-error';
import { labelRoute } from '../http-metrics';
import type { RedisGuard } from '../redis-guard';

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

/**
 * A refusal in the API's shape, plus what Bull Board's page shows in its error toast: `error.key`
 * (its title; an unknown key is shown as written) and a top-level `message`.
 */
function sendRefusal(res: Response, refusal: RedisRefusal): void {
  const http = redisUnavailable(refusal);
  res.setHeader('Retry-After', String(http.retryAfterSeconds));
  res.status(503).json({
    error: { code: http.code, message: http.message, details: http.details, key: 'Redis unavailable' },
    message: http.message,
  });
}

/** Bull Board turns every error into a 500; a Redis refusal goes on to `refusals` below instead. */
class BoardAdapter extends ExpressAdapter {
  constructor(private readonly guard: RedisGuard) {
    super();
  }

  override setErrorHandler(handler: (error: Error) => ControllerHandlerReturnType): this {
    return super.setErrorHandler((error) => {
      if (this.guard.refusalOf(error)) throw error;
      return handler(error);
    });
  }
}

/**
 * Bull Board's data routes (`/api/...` under the dashboard) use BullMQ directly, which waits
 * as long as Redis does. They are refused at once while the connection is down and answered
 * 503 when Redis has not answered within `API_REDIS_TIMEOUT_MS`, like the rest of the API.
 */
function redisDeadline(guard: RedisGuard): RequestHandler {
  return (req, res, next) => {
    if (!req.path.startsWith('/api/')) return next();
    guard.assertReady();
    const timer = setTimeout(() => {
      if (!res.headersSent) sendRefusal(res, redisRefusal('timeout', `no answer within ${guard.timeoutMs} ms`));
    }, guard.timeoutMs);
    res.once('close', () => clearTimeout(timer));
    next();
  };
}

function refusals(guard: RedisGuard): ErrorRequestHandler {
  return (err, _req, res, next) => {
    const refusal = guard.refusalOf(err);
    if (!refusal || res.headersSent) return next(err);
    sendRefusal(res, refusal);
  };
}

/** Bull Board on the three queues, retries enabled, behind Basic auth with an admin token. */
export function dashboardRoutes(ctx: ApiContext): Router {
  const serverAdapter = new BoardAdapter(ctx.guard);
  serverAdapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: ctx.producer.allQueues().map((queue) => new BullMQAdapter(queue, { readOnlyMode: false, allowRetries: true })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Bullpen', sortQueues: false } },
  });
  const label: RequestHandler = (_req, res, next) => {
    labelRoute(res, DASHBOARD_PATH);
    next();
  };
  const router = Router();
  router.use(
    DASHBOARD_PATH,
    label,
    ctx.mw.dashboard,
    sameOriginChanges,
    redisDeadline(ctx.guard),
    serverAdapter.getRouter() as RequestHandler,
    refusals(ctx.guard),
  );
  return router;
}
