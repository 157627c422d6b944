import { Router, type RequestHandler } from 'express';
import type { DashboardAction } from './config';
import { HttpError } from './http-error';

/**
 * Every route of Bull Board that changes something (its `appRoutes` and history routes, paths
 * relative to the dashboard), grouped into the actions `DASHBOARD_ACTIONS` names. A test walks
 * Bull Board's route table and fails on an unsafe route missing here.
 */
export const DASHBOARD_ROUTES: Readonly<Record<DashboardAction, readonly string[]>> = {
  retry: ['PUT /api/queues/:queueName/:jobId/retry', 'PUT /api/queues/:queueName/retry/:queueStatus'],
  promote: ['PUT /api/queues/:queueName/:jobId/promote', 'PUT /api/queues/:queueName/promote'],
  pause: ['PUT /api/queues/:queueName/pause', 'PUT /api/queues/:queueName/resume', 'PUT /api/queues/pause', 'PUT /api/queues/resume'],
  clean: [
    'PUT /api/queues/:queueName/:jobId/clean',
    'PUT /api/queues/:queueName/clean/:queueStatus',
    'PUT /api/queues/:queueName/empty',
    'PUT /api/queues/:queueName/:jobId/remove-unprocessed-children',
    'POST /api/metrics/history/purge',
  ],
  add: ['POST /api/queues/:queueName/add'],
  edit: ['PATCH /api/queues/:queueName/:jobId/update-data', 'PATCH /api/queues/:queueName/:jobId/delay', 'PATCH /api/queues/:queueName/:jobId/priority'],
  obliterate: ['PUT /api/queues/:queueName/obliterate'],
  concurrency: ['PUT /api/queues/:queueName/concurrency', 'PUT /api/queues/:queueName/rate-limit', 'PUT /api/queues/:queueName/rate-limit/release'],
  schedulers: [
    'PUT /api/queues/:queueName/job-schedulers/:schedulerId/remove',
    'PATCH /api/queues/:queueName/job-schedulers/:schedulerId',
    'PUT /api/queues/:queueName/job-schedulers/:schedulerId/run',
  ],
};

/** Methods that change nothing (Bull Board serves its pages and reads on GET). */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);
type Method = 'post' | 'put' | 'patch';

/**
 * The allow-list in front of Bull Board (Bull Board's own `readOnlyMode` is all or nothing and
 * also turns retries off). A change answers 403 unless its action is in `enabled`; a change no
 * route above matches is refused too, so a Bull Board upgrade cannot open a new one silently.
 * One path can match two routes (`/api/queues/q/clean/retry` is "clean all" and "retry job
 * clean"): each one it matches must be allowed, so the answer does not hang on match order.
 */
export function dashboardActions(enabled: readonly DashboardAction[]): Router {
  const allowed = new Set(enabled);
  const now = enabled.length ? enabled.join(',') : 'none';
  const router = Router();
  router.use((req, _res, next) => {
    if (SAFE_METHODS.has(req.method)) return next('router');
    next();
  });
  for (const [action, routes] of Object.entries(DASHBOARD_ROUTES) as [DashboardAction, readonly string[]][]) {
    const gate: RequestHandler = (_req, res, next) => {
      if (!allowed.has(action)) {
        throw new HttpError(403, 'dashboard_action_disabled', `the dashboard's "${action}" action is off; add it to DASHBOARD_ACTIONS (now ${now}) to allow it`, { action });
      }
      res.locals.dashboardAction = action;
      next();
    };
    for (const route of routes) {
      const [method, path] = route.split(' ');
      router[method.toLowerCase() as Method](path, gate);
    }
  }
  router.use((_req, res, next) => {
    if (res.locals.dashboardAction) return next('router');
    throw new HttpError(403, 'dashboard_action_unknown', 'this dashboard change is not one Bullpen knows (a route of a newer Bull Board?), so it is refused until it is mapped to an action');
  });
  return router;
}
