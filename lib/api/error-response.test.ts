import { afterEach, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { AppError, type AppErrorCode, statusOf } from "@/lib/errors";
import { toErrorResponse } from "./error-response";

function errno(code: string, p?: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: boom`), { code, path: p });
}

afterEach(() => vi.restoreAllMocks());

describe("toErrorResponse", () => {
  it("maps an AppError thrown by another loaded copy of lib/errors (server.ts under tsx vs Next's bundle) as an AppError", async () => {
    vi.resetModules();
    const copy = await import("@/lib/errors");
    expect(copy.AppError).not.toBe(AppError);
    const spy = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const res = toErrorResponse(new copy.AppError("not_found", "osimage x not found"));
    expect(res.status).toBe(404);
    expect((await res.json()).error).toEqual({ code: "not_found", message: "osimage x not found" });
    expect(spy).not.toHaveBeenCalled(); // an expected refusal: no stack trace in the log
    spy.mockRestore();
  });

  it("maps every AppError code through the one status table", async () => {
    const expected: Record<AppErrorCode, number> = {
      bad_request: 400,
      unauthenticated: 401,
      forbidden: 403,
      not_found: 404,
      conflict: 409,
      payload_too_large: 413,
      unsupported_media_type: 415,
      unprocessable: 422,
      rate_limited: 429,
      unavailable: 503,
      internal: 500,
    };
    for (const code of Object.keys(statusOf) as AppErrorCode[]) {
      const r = toErrorResponse(new AppError(code, `msg ${code}`));
      expect(r.status).toBe(expected[code]);
      expect(await r.json()).toEqual({ error: { code, message: `msg ${code}` } });
    }
  });

  it("sends details and a Retry-After header for 429", async () => {
    const r = toErrorResponse(new AppError("rate_limited", "slow down", { details: { retryAfterSeconds: 42 } }));
    expect(r.status).toBe(429);
    expect(r.headers.get("retry-after")).toBe("42");
    expect((await r.json()).error.retryAfterSeconds).toBe(42);
  });

  it("turns a ZodError into 422 with the issues", async () => {
    const parsed = z.object({ port: z.number().int() }).safeParse({ port: "x" });
    const r = toErrorResponse(parsed.error);
    expect(r.status).toBe(422);
    const body = await r.json();
    expect(body.error.code).toBe("unprocessable");
    expect(body.error.issues[0].path).toEqual(["port"]);
  });

  it("maps filesystem errno codes", async () => {
    expect(toErrorResponse(errno("ENOENT", "/img/etc/x")).status).toBe(404);
    expect((await toErrorResponse(errno("ENOENT", "/img/etc/x")).json()).error.message).toBe("/img/etc/x: not found");
    expect(toErrorResponse(errno("EACCES")).status).toBe(403);
    expect(toErrorResponse(errno("EPERM")).status).toBe(403);
    expect(toErrorResponse(errno("EEXIST")).status).toBe(409);
    expect(toErrorResponse(errno("ENOSPC")).status).toBe(503);
  });

  it("hides anything else behind a generic 500 and logs the details", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const r = toErrorResponse(new TypeError("secret internals at /root/x.ts:12"));
    expect(r.status).toBe(500);
    const body = await r.json();
    expect(body.error.code).toBe("internal");
    expect(JSON.stringify(body)).not.toContain("secret internals");
    expect(log).toHaveBeenCalledOnce();
    expect(String(log.mock.calls[0][0])).toContain(body.error.message.match(/id (\w+)/)[1]);
  });
});
