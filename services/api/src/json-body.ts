import express, { type RequestHandler } from 'express';
import { HttpError } from './http-error';

const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * How deeply objects and arrays may nest in a body (the body itself is level 1). Real requests
 * need a handful; deeper ones exist to overflow the stack of whatever walks them recursively
 * (a schema, JSON.stringify, a worker without a schema), so they never get past the parser.
 */
export const MAX_JSON_DEPTH = 32;

/**
 * Whether `value` nests objects and arrays more than `levels` deep (a scalar is 0 deep, `{}` 1).
 * Recursive but never past `levels`, so the stack stays shallow; it allocates nothing.
 */
function deeperThan(value: unknown, levels: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (levels === 0) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (deeperThan(value[i], levels - 1)) return true;
    return false;
  }
  for (const key in value) if (deeperThan((value as Record<string, unknown>)[key], levels - 1)) return true;
  return false;
}

/**
 * Parses a JSON body up to `limitBytes` (413 beyond, 400 when malformed or nested deeper than
 * `MAX_JSON_DEPTH`). A body of another media type answers 415 rather than being ignored, so
 * `curl -d` without a Content-Type header gets a clear answer.
 */
export function jsonBody(limitBytes: number): RequestHandler {
  // The media type is checked once, here: the parser is told every request it gets is JSON.
  const parse = express.json({ limit: limitBytes, type: () => true, strict: true });
  return (req, res, next) => {
    // `is` is null without a body (the parser skips it); an empty body (Content-Length: 0) is "no body" too, left to the schema.
    if (req.is(JSON_TYPES) === false) {
      if (req.headers['content-length'] === '0') return next();
      throw new HttpError(415, 'unsupported_media_type', `send the body as JSON with Content-Type: application/json (got ${req.headers['content-type'] ?? 'none'})`);
    }
    parse(req, res, (err?: unknown) => {
      if (err === undefined && deeperThan(req.body, MAX_JSON_DEPTH)) {
        return next(new HttpError(400, 'invalid_request', `the body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep`));
      }
      next(err);
    });
  };
}
