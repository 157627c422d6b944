import {
  ArgsTooLargeError, ArgsValidationError, coerceError, EnqueueOptionsError, RedisRefusedError, UnknownWorkerError, type Logger, type RedisRefusal,
} from '@bullpen/core';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { HttpError } from './http-error';
import type { RedisGuard } from './redis-guard';

/** body-parser's error `type`s and what they mean for the client. */
const BODY_ERRORS: Record<string, [number, string, string]> = {
  'entity.parse.failed': [400, 'malformed_json', 'the body is not valid JSON'],
  'entity.too.large': [413, 'payload_too_large', 'the body is larger than the limit'],
  'entity.verify.failed': [400, 'invalid_request', 'the body could not be verified'],
  'request.aborted': [400, 'request_aborted', 'the request was aborted before its body arrived'],
  'request.size.invalid': [400, 'invalid_request', 'the body size does not match Content-Length'],
  'encoding.unsupported': [415, 'unsupported_media_type', 'unsupported Content-Encoding'],
  'charset.unsupported': [415, 'unsupported_media_type', 'unsupported charset; send UTF-8'],
};

/** Maps the errors the core and body parser raise for a bad request; undefined for anything else. */
export function toHttpError(err: unknown): HttpError | undefined {
  if (err instanceof HttpError) return err;
  if (err instanceof ArgsValidationError) {
    return new HttpError(422, 'invalid_args', err.message, { worker: err.worker, issues: err.issues });
  }
  if (err instanceof ArgsTooLargeError) {
    return new HttpError(413, 'args_too_large', err.message, { worker: err.worker, bytes: err.bytes, maxBytes: err.maxBytes });
  }
  if (err instanceof UnknownWorkerError) return new HttpError(404, 'unknown_worker', err.message, { worker: err.worker });
  // Express's router decodes path parameters with decodeURIComponent and passes on its URIError.
  if (err instanceof URIError) return new HttpError(400, 'invalid_request', 'the path is not valid percent-encoding');
  if (err instanceof EnqueueOptionsError) return new HttpError(400, 'invalid_options', err.message);
  const type = (err as { type?: unknown } | null)?.type;
  if (typeof type === 'string' && BODY_ERRORS[type]) {
    const [status, code, message] = BODY_ERRORS[type];
    const limit = (err as { limit?: number }).limit;
    return new HttpError(status, code, status === 413 && limit ? `${message} of ${limit} bytes` : message);
  }
  // Any other client error the body parser raises (e.g. a Content-Encoding whose data is corrupt).
  const { status, expose, message } = (err ?? {}) as { status?: unknown; expose?: unknown; message?: unknown };
  if (expose === true && typeof status === 'number' && status >= 400 && status < 500) {
    return new HttpError(status, 'invalid_request', `the body could not be read: ${String(message)}`);
  }
  return undefined;
}

/** Every unknown route answers 404 in the error shape. */
export const notFound: RequestHandler = (req) => {
  throw new HttpError(404, 'not_found', `no route ${req.method} ${req.path}`);
};

/** A Redis refusal as the API answers it: 503 `redis_unavailable`, the cause in `details`, `Retry-After` set by `sendError`. */
export function redisUnavailable(refusal: RedisRefusal, details?: Readonly<Record<string, unknown>>): HttpError {
  return new HttpError(503, 'redis_unavailable', refusal.message, { cause: refusal.cause, ...details }, refusal.retryAfterSeconds);
}

/** Writes `http` as `{error: {code, message, details?}}`; a 503 also gets `Retry-After`. */
export function sendError(res: Response, http: HttpError): void {
  const { status, code, message, details, retryAfterSeconds } = http;
  if (retryAfterSeconds !== undefined || status === 503) res.setHeader('Retry-After', String(retryAfterSeconds ?? 5));
  res.status(status).json({ error: details === undefined ? { code, message } : { code, message, details } });
}

/** The one place errors become HTTP answers `{error: {code, message, details?}}`. */
export function errorHandler(guard: RedisGuard, logger: Logger): ErrorRequestHandler {
  return (thrown, req, res, next) => {
    if (res.headersSent) {
      // Answered already (a deadline passed, the API is shutting down): what the handler did afterwards has no one to go to.
      if (res.writableEnded) return logger.debug({ err: coerceError(thrown).message, method: req.method, path: req.path }, 'error after the answer was sent');
      return next(thrown);
    }
    let http = toHttpError(thrown);
    const refusal = http ? undefined : guard.refusalOf(thrown);
    if (refusal) {
      http = redisUnavailable(refusal, thrown instanceof RedisRefusedError ? thrown.details : undefined);
      // The outage itself is logged by the connection; one line per refused request would flood the log.
      logger.debug({ method: req.method, path: req.path, cause: refusal.cause, err: coerceError(thrown).message }, 'request refused by redis');
    }
    if (!http) {
      logger.error({ err: coerceError(thrown), method: req.method, path: req.path }, 'request failed');
      http = new HttpError(500, 'internal_error', 'internal error');
    }
    sendError(res, http);
  };
}
