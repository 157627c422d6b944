import type { RequestHandler, Response } from 'express';
import { Histogram, type Registry } from 'prom-client';

/** Seconds; an enqueue takes about a millisecond, a slow dashboard page a few seconds. */
const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Label for requests that matched no route, so stray paths cannot blow up cardinality. */
export const UNMATCHED_ROUTE = 'unmatched';

/** Sets the `route` label for everything under a mount (e.g. the dashboard's many routes). */
export function labelRoute(res: Response, route: string): void {
  res.locals.route = route;
}

/** When the request reached the metrics middleware, as `performance.now()` milliseconds. */
const STARTED = Symbol('httpMetricsStarted');
type Timed = Response & { [STARTED]: number };

/**
 * `http_request_duration_seconds{method,route,status}`, where route is the Express pattern
 * (`/api/jobs/:id`), never the raw path.
 */
export function httpMetrics(register: Registry): RequestHandler {
  const histogram = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, Express route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: BUCKETS,
    registers: [register],
  });
  /** One listener for every response (`this` is the response), so a request costs no closure. */
  function observe(this: Timed): void {
    const { req } = this;
    const route = (this.locals.route as string | undefined) ?? (req.route ? req.baseUrl + (req.route.path as string) : UNMATCHED_ROUTE);
    histogram.observe({ method: req.method, route, status: String(this.statusCode) }, (performance.now() - this[STARTED]) / 1000);
  }
  return (_req, res, next) => {
    (res as Timed)[STARTED] = performance.now();
    res.on('finish', observe);
    next();
  };
}
