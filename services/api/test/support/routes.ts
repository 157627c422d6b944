import type { Express } from 'express';

/** One method of one route the app serves: `path` as registered, with its `:params`. */
export interface AppRoute {
  method: string;
  path: string;
}

/** The routes anyone may call without a token (DESIGN.md §5). */
export const OPEN_ROUTES: readonly string[] = ['GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /openapi.json'];

/** The parts of Express 5's router layers the walk reads (they are not in its public types). */
interface Layer {
  rawPath?: string | string[];
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle: { stack?: Layer[]; router?: { stack: Layer[] } };
}

const paths = (path: string | string[] | undefined): string[] => (Array.isArray(path) ? path : [path ?? '/']);
/** A path under a mount point; `/` adds nothing (the root's base is ''). */
const join = (base: string, path: string): string => (path === '/' ? base : `${base}${path}`);

/**
 * Every route and method of `app`, found by walking its router: routers mounted with `use`
 * and mounted apps (Bull Board's) included, each once, in registration order.
 */
export function appRoutes(app: Express): AppRoute[] {
  const found = new Map<string, AppRoute>();
  const walk = (stack: Layer[], base: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const path of paths(layer.route.path)) {
          for (const method of Object.keys(layer.route.methods)) {
            const route = { method: method.toUpperCase(), path: join(base, path) || '/' };
            found.set(`${route.method} ${route.path}`, route);
          }
        }
        continue;
      }
      const nested = layer.handle.stack ?? layer.handle.router?.stack;
      if (nested) for (const mount of paths(layer.rawPath)) walk(nested, join(base, mount));
    }
  };
  walk((app.router as unknown as { stack: Layer[] }).stack, '');
  return [...found.values()];
}

/** `METHOD /path`, the form OPEN_ROUTES and the tests' tables use. */
export const routeName = (route: AppRoute): string => `${route.method} ${route.path}`;

/** Whether a request `method path` is served by `route` (`:params` match one segment). */
export function serves(route: AppRoute, method: string, path: string): boolean {
  // Route paths hold letters, `-`, `/`, `:param` and `.` (the only one a regex reads otherwise).
  const pattern = new RegExp(`^${route.path.replace(/\./g, '\\.').replace(/:\w+/g, '[^/]+')}$`);
  return route.method === method.toUpperCase() && pattern.test(path.split('?')[0]);
}
