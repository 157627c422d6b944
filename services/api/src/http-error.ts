/**
 * An error that becomes an HTTP answer `{error: {code, message, details?}}`. `code` is a
 * stable snake_case word clients can branch on; `message` is for people.
 */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Sent as `Retry-After` (seconds); a 503 without one gets 5. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}
