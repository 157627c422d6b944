import type { RequestHandler } from 'express';

/**
 * On every answer: no MIME sniffing, no framing (old browsers read X-Frame-Options, new ones the
 * CSP's frame-ancestors). That is what OWASP asks of JSON API answers.
 */
const COMMON: [string, string][] = [
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
];

/**
 * For the dashboard's HTML (logged in with Basic credentials, which a browser sends by itself):
 * no referrer, no window or resource shared with other origins. The JSON API needs none of them:
 * it is no document, and a bearer token is never sent by a browser on its own.
 */
const DOCUMENT: [string, string][] = [
  ['Referrer-Policy', 'no-referrer'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
];

/** Job results may be private: no browser or proxy cache keeps an answer. */
const NO_STORE: [string, string] = ['Cache-Control', 'no-store'];

/** JSON, text and errors load nothing. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * What Bull Board's page loads: its own scripts, CSS, fetches and highlight worker, inline
 * style attributes and theme `<style>`, Google Fonts, `data:` SVG icons. Its inline
 * `<script type="application/json">` config is data, which script-src does not govern.
 */
const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline' https://fonts.googleapis.com",
  "font-src 'self' https://fonts.gstatic.com",
  "img-src 'self' data:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

type HeaderSet = readonly (readonly [string, string])[];

const API: HeaderSet = [...COMMON, NO_STORE, ['Content-Security-Policy', API_CSP]];
const DASHBOARD: HeaderSet = [...COMMON, ...DOCUMENT, NO_STORE, ['Content-Security-Policy', DASHBOARD_CSP]];
/** The dashboard's hashed static files are the same for everyone: Bull Board's caching stays. */
const DASHBOARD_STATIC: HeaderSet = [...COMMON, ...DOCUMENT, ['Content-Security-Policy', DASHBOARD_CSP]];

/**
 * Sets precomputed headers before any route runs, so 404s and errors carry them too. Paths
 * compare case-insensitively, as Express routes them.
 */
export function securityHeaders(dashboardPath: string): RequestHandler {
  const board = dashboardPath.toLowerCase();
  const under = `${board}/`;
  const statics = `${board}/static/`;
  return (req, res, next) => {
    const path = req.path.toLowerCase();
    const inBoard = path === board || path.startsWith(under);
    const headers = !inBoard ? API : path.startsWith(statics) ? DASHBOARD_STATIC : DASHBOARD;
    // An indexed loop, not `setHeaders(Map)`: that allocates an entry per header on every request.
    for (let i = 0; i < headers.length; i++) res.setHeader(headers[i][0], headers[i][1]);
    next();
  };
}
