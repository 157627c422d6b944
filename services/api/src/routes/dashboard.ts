import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { ControllerHandlerReturnType } from '@bull-board/api/typings/app';
import { ExpressAdapter } from '@bull-board/express';
import { redisRefusal } from '@bullpen/core';
import { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import type { ApiContext } from '../context';
import { dashboardActions, SAFE_METHODS } from '../dashboard-actions';
import { redisUnavailable, toHttpError } from '../errors';
import { HttpError } from '../http-error';
import { labelRoute } from '../http-metrics';
import type { RedisGuard } from '../redis-guard';

export const DASHBOARD_PATH = '/admin/queues';

/**
 * Browsers resend Basic credentials on their own, so any page the admin has open, even one on
 * another port of this host, could send changes here (a `text/plain` form POST needs no
 * preflight). A change must carry an `Origin` naming this very host and port: browsers send one
 * on every POST, PUT, PATCH and DELETE and a page cannot forge it. `Sec-Fetch-Site`, when sent,
 * must agree.
 */
const sameOriginChanges: RequestHandler = (req, _res, next) => {
  if (SAFE_METHODS.has(req.method) || isSameOrigin(req)) return next();
  throw new HttpError(403, 'cross_origin_request', 'dashboard changes must come from the dashboard page itself, opened at this address (same host and port, with an Origin header); behind a proxy, pass the Host header on unchanged');
};

function isSameOrigin(req: Request): boolean {
  const { origin, host } = req.headers;
  const site = req.headers['sec-fetch-site'];
  if (!origin || !host || (site !== undefined && site !== 'same-origin')) return false;
  try {
    return new URL(origin).host === host.toLowerCase();
  } catch {
    return false; // `Origin: null` (sandboxed frames, file: pages) or garbage
  }
}

/** The title of Bull Board's error toast (`error.key`; an unknown key is shown as written) for the refusals answered here. */
const TOAST_TITLES: Readonly<Record<string, string>> = {
  redis_unavailable: 'Redis unavailable',
  dashboard_action_disabled: 'Action disabled',
  dashboard_action_unknown: 'Action unknown',
  cross_origin_request: 'Cross-origin request',
};

/** A refusal in the API's shape, plus what Bull Board's page shows in its error toast: `error.key` and a top-level `message`. */
function sendRefusal(res: Response, http: HttpError): void {
  if (http.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(http.retryAfterSeconds));
  res.status(http.status).json({
    error: { code: http.code, message: http.message, details: http.details, key: TOAST_TITLES[http.code] },
    message: http.message,
  });
}

/** Bull Board turns every error into a 500; a Redis refusal goes on to `refusals` below instead. */
class BoardAdapter extends ExpressAdapter {
  constructor(private readonly guard: RedisGuard) {
    super();
    // Bull Board's own Express app would announce itself on every dashboard answer.
    this.app.disable('x-powered-by');
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
      if (!res.headersSent) sendRefusal(res, redisUnavailable(redisRefusal('timeout', `no answer within ${guard.timeoutMs} ms`)));
    }, guard.timeoutMs);
    res.once('close', () => clearTimeout(timer));
    next();
  };
}

/** Redis refusals and the refusals above, in the shape Bull Board's page shows; anything else goes on to the API's error handler. */
function refusals(guard: RedisGuard): ErrorRequestHandler {
  return (err, _req, res, next) => {
    const refusal = guard.refusalOf(err);
    const http = refusal ? redisUnavailable(refusal) : toHttpError(err);
    if (!http || !Object.hasOwn(TOAST_TITLES, http.code) || res.headersSent) return next(err);
    sendRefusal(res, http);
  };
}

/**
 * Bull Board on the three queues behind Basic auth with an admin token; it changes only what
 * `DASHBOARD_ACTIONS` allows (default: retries), and only from its own page. With no action
 * allowed it is read-only, its buttons hidden.
 */
export function dashboardRoutes(ctx: ApiContext): Router {
  const actions = ctx.config.dashboardActions;
  const serverAdapter = new BoardAdapter(ctx.guard);
  serverAdapter.setBasePath(DASHBOARD_PATH);
  createBullBoard({
    queues: ctx.queues.all().map((queue) => new BullMQAdapter(queue, { readOnlyMode: actions.length === 0, allowRetries: actions.includes('retry') })),
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
    dashboardActions(actions),
    redisDeadline(ctx.guard),
    serverAdapter.getRouter() as RequestHandler,
    refusals(ctx.guard),
  );
  return router;
}
