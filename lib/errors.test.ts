import { describe, expect, it, vi } from "vitest";
import { toErrorResponse } from "./api/error-response";
import { AppError, isAppError } from "./errors";

// Each Next route bundle carries its own copy of lib/errors; a copy is simulated by loading the module again
// after resetting the module registry, which gives a second, distinct AppError class.
async function foreignCopy(): Promise<typeof import("./errors")> {
  vi.resetModules();
  return import("./errors");
}

describe("errors across bundles (module copies)", () => {
  it("an AppError thrown by another copy of the module is recognised and mapped to its status, not 500", async () => {
    const other = await foreignCopy();
    expect(other.AppError).not.toBe(AppError);
    const e = new other.AppError("not_found", "image nope not found");
    expect(e instanceof AppError).toBe(false);
    expect(isAppError(e)).toBe(true);
    const r = toErrorResponse(e);
    expect(r.status).toBe(404);
    expect((await r.json()).error).toEqual({ code: "not_found", message: "image nope not found" });
  });

  it("something that only looks like one (a plain object or Error with a code) is not an AppError", () => {
    expect(isAppError({ code: "not_found", message: "x" })).toBe(false);
    expect(isAppError(Object.assign(new Error("x"), { code: "ENOENT" }))).toBe(false);
    expect(isAppError(null)).toBe(false);
    expect(isAppError(new AppError("conflict", "busy"))).toBe(true);
  });
});
