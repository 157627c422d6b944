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
  ) {
    super(message);
  }
}
