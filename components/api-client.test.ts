import { describe, expect, it } from "vitest";
import { ApiError, apiErrorOf, isApiError } from "./api-client";

describe("apiErrorOf", () => {
  it("keeps the server's code, message and every other field as details", () => {
    const e = apiErrorOf(409, "Conflict", {
      error: { code: "conflict", message: "Image x is packing right now.", reason: "image-busy", jobId: "j1" },
    });
    expect(e).toBeInstanceOf(ApiError);
    expect([e.status, e.code, e.message]).toEqual([409, "conflict", "Image x is packing right now."]);
    expect(e.details).toEqual({ reason: "image-busy", jobId: "j1" });
    expect(isApiError(e, "conflict")).toBe(true);
    expect(isApiError(e, "not_found")).toBe(false);
  });

  it("names the status when the body is not the API's (a proxy's page, no JSON)", () => {
    for (const body of [null, "<html>", { error: "x" }, { error: { code: 5 } }]) {
      const e = apiErrorOf(502, "Bad Gateway", body);
      expect([e.code, e.message, e.details]).toEqual(["error", "502 Bad Gateway", {}]);
    }
  });
});
