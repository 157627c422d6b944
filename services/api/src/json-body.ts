import express, { type RequestHandler } from 'express';
import { HttpError } from './http-error';

const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * Parses a JSON body up to `limitBytes` (413 beyond, 400 when malformed). A body of another
 * media type answers 415 rather than being ignored, so `curl -d` without a Content-Type
 * header gets a clear answer.
 */
export function jsonBody(limitBytes: number): RequestHandler {
  const parse = express.json({ limit: limitBytes, type: JSON_TYPES, strict: true });
  return (req, res, next) => {
    // `is` is null without a body; an empty body (Content-Length: 0) is "no body" too, left to the schema.
    if (req.is(JSON_TYPES) === false && req.headers['content-length'] !== '0') {
      throw new HttpError(415, 'unsupported_media_type', `send the body as JSON with Content-Type: application/json (got ${req.headers['content-type'] ?? 'none'})`);
    }
    parse(req, res, next);
  };
}
