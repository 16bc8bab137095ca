/**
 * The one error type of Rootimg Studio. The core throws it; the edge (route wrapper, socket handlers,
 * CLI) turns it into an HTTP status, a socket error or a one-line `error: ...`.
 * Messages say what failed and what to do: they are shown to the admin as they are.
 */
export type AppErrorCode =
  | "bad_request" // 400: malformed input the client should not have sent
  | "unauthenticated" // 401: no or expired session
  | "forbidden" // 403: the role may not do this, or a foreign origin
  | "not_found" // 404
  | "conflict" // 409: stale etag, a job already running, a lock held
  | "unprocessable" // 422: well-formed but invalid (zod), or refused content (escaping archive)
  | "rate_limited" // 429
  | "unavailable" // 503: a backend (xCAT, disk) cannot serve now
  | "internal"; // 500: details only in the log

export const statusOf: Record<AppErrorCode, number> = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  unprocessable: 422,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

/**
 * The server loads the core twice: server.ts through tsx, and the route handlers inside Next's bundle. An
 * AppError thrown by one copy (a backend created at start-up) and caught by the other is still an AppError:
 * the check goes by this process-wide brand, not by the class identity alone.
 */
const BRAND = Symbol.for("rootimg-studio.AppError");

export class AppError extends Error {
  readonly [BRAND] = true;
  readonly code: AppErrorCode;
  /** Extra fields sent to the client with the message (never secrets, never stack traces). */
  readonly details?: Record<string, unknown>;

  constructor(code: AppErrorCode, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.details = options?.details;
  }

  get status(): number {
    return statusOf[this.code];
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError || (typeof e === "object" && e !== null && (e as { [BRAND]?: unknown })[BRAND] === true && typeof (e as { code?: unknown }).code === "string" && (e as { code: string }).code in statusOf);
}
