import type { Response } from 'express';

/** The Content-Type Express's `res.json` sets. */
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The answer `res.status(status).json(body)` gives, byte for byte (status, Content-Type,
 * Content-Length, body), without the media-type parsing `res.json` and `res.send` repeat on every
 * answer. For the enqueue routes' JSON answers to POSTs: no ETag, HEAD or 304 handling.
 */
export function sendJson(res: Response, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', JSON_TYPE);
  res.setHeader('Content-Length', String(Buffer.byteLength(text)));
  res.end(text);
}
