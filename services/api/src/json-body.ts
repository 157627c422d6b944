import express, { type NextFunction, type Request, type RequestHandler } from 'express';
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

/** An error shaped as body-parser's (`type`, `status`, `expose`), so `toHttpError` answers it the same way. */
function bodyError(status: number, type: string, message: string, limit?: number): Error {
  return Object.assign(new Error(message), { status, type, expose: true, ...(limit === undefined ? {} : { limit }) });
}

/** No Content-Encoding and a UTF-8 (or no) charset: what nearly every client sends, read without body-parser. */
const PLAIN_TYPE = /^[^;]*(?:;\s*charset="?utf-8"?\s*)?$/i;

function isPlainUtf8(req: Request): boolean {
  const encoding = req.headers['content-encoding'];
  return (encoding === undefined || encoding.toLowerCase() === 'identity') && PLAIN_TYPE.test(req.headers['content-type'] ?? '');
}

/**
 * body-parser's strict JSON for a UTF-8 text: `{}` when empty (as body-parser gives it), an
 * object or array otherwise, with a leading byte order mark dropped (as its decoder does).
 */
function parseStrict(text: string): unknown {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length === 0) return {};
  const first = text[0] === '{' || text[0] === '[' ? text[0] : /^[ \t\n\r]*(.)/.exec(text)?.[1];
  if (first !== '{' && first !== '[') throw bodyError(400, 'entity.parse.failed', 'the body is not a JSON object or array');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw bodyError(400, 'entity.parse.failed', (err as Error).message);
  }
}

/** Passes on a parsed body, or the error reading it; a body nested too deep is refused here, whichever parser read it. */
function parsed(req: Request, next: NextFunction, err?: unknown): void {
  if (err === undefined && deeperThan(req.body, MAX_JSON_DEPTH)) {
    return next(new HttpError(400, 'invalid_request', `the body nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep`));
  }
  next(err);
}

/** What `readJson` keeps on a request while its body arrives. */
interface Reading {
  limit: number;
  /** The declared Content-Length, if any. */
  length?: number;
  chunks: Buffer[];
  received: number;
  /** Set when the body is refused: the rest is read off before `next` hears of it. */
  failed?: Error;
  next: NextFunction;
}

const READING = Symbol('jsonBodyReading');
type ReadingRequest = Request & { [READING]: Reading };

// The listeners are module functions with `this` the request (events call them so), not closures:
// a closure per listener and request costs more than the read itself (with keepNames, each is named).
function finish(req: ReadingRequest, err?: Error): void {
  req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
  parsed(req, req[READING].next, err);
}

function fail(req: ReadingRequest, err: Error): void {
  // The rest is read off before the answer, as body-parser does: a reply while the client still sends may never reach it.
  const reading = req[READING];
  reading.failed = err;
  reading.chunks.length = 0;
  if (req.readableEnded) finish(req, err);
}

function onData(this: ReadingRequest, chunk: Buffer): void {
  const reading = this[READING];
  if (reading.failed) return;
  reading.received += chunk.length;
  if (reading.received > reading.limit) fail(this, bodyError(413, 'entity.too.large', 'request entity too large', reading.limit));
  else reading.chunks.push(chunk);
}

function onEnd(this: ReadingRequest): void {
  const { failed, length, received, chunks } = this[READING];
  if (failed) return finish(this, failed);
  if (length !== undefined && received !== length) return finish(this, bodyError(400, 'request.size.invalid', 'request size did not match content length'));
  try {
    this.body = parseStrict((chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received)).toString('utf8'));
  } catch (err) {
    return finish(this, err as Error);
  }
  finish(this);
}

function onError(this: ReadingRequest): void {
  finish(this, bodyError(400, 'request.aborted', 'request aborted'));
}

function onClose(this: ReadingRequest): void {
  if (!this.readableEnded) onError.call(this);
}

/**
 * Reads an identity-encoded UTF-8 body of at most `limit` bytes into `req.body`, with
 * body-parser's answers: 413 past the limit (declared or counted, after the rest of the body
 * is read off so the answer can go out), 400 when the body is shorter or longer than its
 * Content-Length, malformed, or the request is aborted. Calls `next` once.
 */
function readJson(req: Request, limit: number, next: NextFunction): void {
  const declared = req.headers['content-length'];
  const reading: Reading = { limit, length: declared === undefined ? undefined : Number(declared), chunks: [], received: 0, next };
  const r = req as ReadingRequest;
  r[READING] = reading;
  r.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  if (reading.length !== undefined && reading.length > limit) fail(r, bodyError(413, 'entity.too.large', 'request entity too large', limit));
}

/**
 * Parses a JSON body up to `limitBytes` (413 beyond, 400 when malformed or nested deeper than
 * `MAX_JSON_DEPTH`). A body of another media type answers 415 rather than being ignored, so
 * `curl -d` without a Content-Type header gets a clear answer. A plain UTF-8 body is read here
 * (body-parser's stream, charset and debug layers were about a tenth of an enqueue's CPU);
 * compressed bodies and other charsets go through body-parser, which decodes them.
 */
export function jsonBody(limitBytes: number): RequestHandler {
  // The media type is checked once, here: the parser is told every request it gets is JSON.
  const decode = express.json({ limit: limitBytes, type: () => true, strict: true });
  return (req, res, next) => {
    // `is` is null without a body (no Content-Length or Transfer-Encoding: nothing to parse); an
    // empty body of another type (Content-Length: 0) is "no body" too, left to the schema.
    const type = req.is(JSON_TYPES);
    if (type === null) return next();
    if (type === false) {
      if (req.headers['content-length'] === '0') return next();
      throw new HttpError(415, 'unsupported_media_type', `send the body as JSON with Content-Type: application/json (got ${req.headers['content-type'] ?? 'none'})`);
    }
    if (isPlainUtf8(req)) readJson(req, limitBytes, next);
    else decode(req, res, (err?: unknown) => parsed(req, next, err));
  };
}
