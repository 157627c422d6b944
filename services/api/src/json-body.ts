import express, { type RequestHandler } from 'express';
import { HttpError } from './http-error';

const JSON_TYPES = ['application/json', 'application/*+json'];

/**
 * How deeply objects and arrays may nest in a body (the body itself is level 1). Real requests
 * need a handful; deeper ones exist to overflow the stack of whatever walks them recursively
 * (a schema, JSON.stringify, a worker without a schema), so they never get past the parser.
 */
export const MAX_JSON_DEPTH = 32;

/** The nesting depth of `value`, counted without recursion and only up to `MAX_JSON_DEPTH + 1`. */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_JSON_DEPTH) break;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return deepest;
}

/**
 * Parses a JSON body up to `limitBytes` (413 beyond, 400 when malformed or nested deeper than
 * `MAX_JSON_DEPTH`). A body of another media type answers 415 rather than being ignored, so
 * `curl -d` without a Content-Type header gets a clear answer.
 */
export function jsonBody(limitBytes: number): RequestHandler {
  const parse = express.json({ limit: limitBytes, type: JSON_TYPES, strict: true });
  return (req, res, next) => {
    // `is` is null without a body; an empty body (Content-Length: 0) is "no body" too, left to the schema.
    if (req.is(JSON_TYPES) === false && req.headers['content-length'] !== '0') {
      throw new HttpError(415, 'unsupported_media_type', `send the body as JSON with Content-Type: application/json (got ${req.headers['content-type'] ?? 'none'})`);
    }
    parse(req, res, (err?: unknown) => {
      if (err === undefined && depthOf(req.body) > MAX_JSON_DEPTH) {
        return next(new HttpError(400, 'invalid_request', `the body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep`));
      }
      next(err);
    });
  };
}
