import type { Metrics } from '@bullpen/core';
import type { RequestHandler, Response } from 'express';
import { Histogram } from 'prom-client';

/** Seconds; an enqueue takes about a millisecond, a slow dashboard page a few seconds. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Label for requests that matched no route, so stray paths cannot blow up cardinality. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Sets the `route` label for everything under a mount (e.g. the dashboard's many routes). */
export function labelRoute(res: Response, route: string): void {
  res.locals.route = route;
}

/**
 * `http_request_duration_seconds{method,route,status}`, where route is the Express pattern
 * (`/api/jobs/:id`), never the raw path.
 */
export function httpMetrics(metrics: Metrics): RequestHandler {
  const histogram = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, Express route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: BUCKETS,
    registers: [metrics.register],
  });
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const route = (res.locals.route as string | undefined) ?? (req.route ? req.baseUrl + (req.route.path as string) : UNMATCHED_ROUTE);
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      histogram.observe({ method: req.method, route, status: String(res.statusCode) }, seconds);
    });
    next();
  };
}
