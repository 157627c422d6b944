import express, { type Express } from 'express';
import type { ApiContext } from './context';
import { errorHandler, notFound } from './errors';
import { httpMetrics } from './http-metrics';
import { DASHBOARD_PATH, dashboardRoutes } from './routes/dashboard';
import { enqueueRoutes } from './routes/enqueue';
import { healthRoutes } from './routes/health';
import { jobRoutes } from './routes/jobs';
import { metricsRoutes } from './routes/metrics';
import { openapiRoutes } from './routes/openapi';
import { queueRoutes } from './routes/queues';
import { workerRoutes } from './routes/workers';
import { securityHeaders } from './security-headers';

/**
 * The Express app: security headers first (every answer carries them), request metrics, then
 * the routes (enqueue first, it is the hot path; each route brings its own auth and body
 * parsing, so a refused request costs no parsing), then 404 and the error handler that gives
 * every error the `{error: {...}}` shape.
 */
export function createApp(ctx: ApiContext): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(securityHeaders(DASHBOARD_PATH));
  app.use(httpMetrics(ctx.register));
  // Enqueue goes on the app's own router, not a mounted one: a Router's dispatch would add a few µs to every enqueue.
  enqueueRoutes(ctx, app.router);
  app.use(jobRoutes(ctx), queueRoutes(ctx), workerRoutes(ctx));
  app.use(healthRoutes(ctx), metricsRoutes(ctx), openapiRoutes(ctx), dashboardRoutes(ctx));
  app.use(notFound);
  app.use(errorHandler(ctx.guard, ctx.logger));
  return app;
}
