import { randomUUID } from "node:crypto";
import { ZodError } from "zod";
import { AppError, type AppErrorCode, isAppError, statusOf } from "@/lib/errors";

export type ErrorBody = { error: { code: AppErrorCode; message: string; [k: string]: unknown } };

// errno codes from node:fs / child_process that mean something to the client.
const errnoMap: Record<string, [AppErrorCode, string]> = {
  ENOENT: ["not_found", "not found"],
  ENOTDIR: ["not_found", "not a directory"],
  EACCES: ["forbidden", "permission denied"],
  EPERM: ["forbidden", "operation not permitted"],
  EEXIST: ["conflict", "already exists"],
  ENOTEMPTY: ["conflict", "directory not empty"],
  EISDIR: ["unprocessable", "is a directory"],
  ENOSPC: ["unavailable", "no space left on the device; free disk space and retry"],
};

/** The one place where any thrown value becomes an HTTP error (status + JSON body). */
export function toErrorBody(e: unknown): { status: number; body: ErrorBody; headers?: Record<string, string> } {
  if (isAppError(e)) return fromAppError(e);
  if (isZodError(e)) {
    const issues = e.issues.map((i) => ({ path: i.path.map(String), message: i.message, code: i.code }));
    const first = issues[0] ? `${issues[0].path.join(".") || "input"}: ${issues[0].message}` : "invalid input";
    return { status: 422, body: { error: { code: "unprocessable", message: `Invalid input (${first}).`, issues } } };
  }
  const errno = (e as NodeJS.ErrnoException | null)?.code;
  if (typeof errno === "string" && errnoMap[errno]) {
    const [code, text] = errnoMap[errno];
    const where = (e as NodeJS.ErrnoException).path;
    return fromAppError(new AppError(code, where ? `${where}: ${text}` : text));
  }
  // Anything else is a bug or an environment problem: details go to the log only, the client gets an id.
  const id = randomUUID().slice(0, 8);
  console.error(`[error ${id}]`, e);
  return { status: 500, body: { error: { code: "internal", message: `Internal error (id ${id}); see the server log.` } } };
}

// By shape as well as by class: a route bundle may carry its own copy of zod.
function isZodError(e: unknown): e is ZodError {
  return e instanceof ZodError || (e instanceof Error && e.name === "ZodError" && Array.isArray((e as ZodError).issues));
}

function fromAppError(e: AppError): { status: number; body: ErrorBody; headers?: Record<string, string> } {
  const status = statusOf[e.code];
  const retry = e.details?.retryAfterSeconds;
  return {
    status,
    body: { error: { code: e.code, message: e.message, ...e.details } },
    headers: typeof retry === "number" ? { "retry-after": String(retry) } : undefined,
  };
}

export function toErrorResponse(e: unknown): Response {
  const { status, body, headers } = toErrorBody(e);
  return Response.json(body, { status, headers });
}
