import { describe, expect, it } from "vitest";
import { isAppError } from "@/lib/errors";
import { allowedActions, nextState, type RequestAction, type RequestState } from "./state-machine";

const alice = { id: "a", username: "alice", role: "editor" };
const rita = { id: "r", username: "rita", role: "reviewer" };
const ada = { id: "ad", username: "ada", role: "admin" };
const vic = { id: "v", username: "vic", role: "viewer" };
const req = (state: RequestState, authorId = "a") => ({ state, authorId, authorName: "alice" });

function refusal(fn: () => unknown): { code: string; reason: unknown; message: string } {
  try {
    fn();
  } catch (e) {
    if (!isAppError(e)) throw e;
    return { code: e.code, reason: e.details?.reason, message: e.message };
  }
  throw new Error("expected a refusal");
}

describe("request state machine", () => {
  it("walks the happy path: submitted, changes requested, submitted again, approved, packed, deployed", () => {
    let s: RequestState = "draft";
    s = nextState(req(s), "submit", alice);
    expect(s).toBe("submitted");
    s = nextState(req(s), "request_changes", rita);
    expect(s).toBe("changes_requested");
    s = nextState(req(s), "update", alice);
    expect(s).toBe("submitted");
    s = nextState(req(s), "approve", rita);
    expect(s).toBe("approved");
    s = nextState(req(s), "pack", alice);
    expect(s).toBe("packed");
    s = nextState(req(s), "deploy", alice);
    expect(s).toBe("deployed");
    expect(nextState(req(s), "deploy", alice)).toBe("deployed"); // deployed again to more nodes
  });

  it("an update keeps a draft a draft and sends an approved request back to review", () => {
    expect(nextState(req("draft"), "update", alice)).toBe("draft");
    expect(nextState(req("approved"), "update", alice)).toBe("submitted");
    expect(nextState(req("submitted"), "update", alice)).toBe("submitted");
  });

  it("an author cannot approve their own request, whatever their role", () => {
    const own = refusal(() => nextState(req("submitted", "ad"), "approve", ada));
    expect(own).toMatchObject({ code: "forbidden", reason: "own-request" });
    expect(own.message).toMatch(/another reviewer/);
    expect(refusal(() => nextState(req("submitted", "r"), "request_changes", rita))).toMatchObject({
      code: "forbidden",
      reason: "own-request",
    });
  });

  it("editors cannot approve; viewers can do nothing", () => {
    const bob = { id: "b", username: "bob", role: "editor" };
    expect(refusal(() => nextState(req("submitted"), "approve", bob))).toMatchObject({ code: "forbidden", reason: "role" });
    for (const a of ["submit", "update", "approve", "request_changes", "abandon"] as RequestAction[])
      expect(refusal(() => nextState(req("submitted", "v"), a, vic)).code).toBe("forbidden");
    expect(allowedActions(req("submitted", "v"), vic)).toEqual([]);
  });

  it("only the author updates or resubmits; the author or an admin abandons", () => {
    expect(refusal(() => nextState(req("changes_requested"), "update", rita))).toMatchObject({ code: "forbidden", reason: "not-author" });
    expect(refusal(() => nextState(req("changes_requested"), "submit", rita))).toMatchObject({ code: "forbidden", reason: "not-author" });
    expect(refusal(() => nextState(req("submitted"), "abandon", rita))).toMatchObject({ code: "forbidden", reason: "not-author" });
    expect(nextState(req("submitted"), "abandon", ada)).toBe("abandoned");
    expect(nextState(req("approved"), "abandon", alice)).toBe("abandoned");
  });

  it("refuses steps from the wrong state with the states that allow them", () => {
    const r = refusal(() => nextState(req("draft"), "approve", rita));
    expect(r).toMatchObject({ code: "conflict", reason: "state" });
    expect(r.message).toMatch(/only when it is submitted/);
    expect(refusal(() => nextState(req("submitted"), "pack", alice))).toMatchObject({ code: "conflict", reason: "state" });
    expect(refusal(() => nextState(req("packed"), "abandon", alice))).toMatchObject({ code: "conflict", reason: "state" });
    expect(refusal(() => nextState(req("abandoned"), "submit", alice))).toMatchObject({ code: "conflict", reason: "state" });
    expect(refusal(() => nextState(req("approved"), "deploy", alice))).toMatchObject({ code: "conflict", reason: "state" });
  });

  it("refuses to approve a stale request and says what moved and what to do", () => {
    const r = refusal(() =>
      nextState(req("submitted"), "approve", rita, { stale: true, reason: "the image was repacked: version 4 is live" }),
    );
    expect(r).toMatchObject({ code: "conflict", reason: "stale" });
    expect(r.message).toMatch(/version 4 is live.*must update it/);
    // asking for changes on a stale request stays possible: that is how the author hears about it
    expect(nextState(req("submitted"), "request_changes", rita, { stale: true, reason: "x" })).toBe("changes_requested");
  });

  it("lists the actions for the UI from the same rules", () => {
    expect(allowedActions(req("submitted"), rita)).toEqual(["approve", "request_changes"]);
    expect(allowedActions(req("submitted"), rita, { stale: true })).toEqual(["request_changes"]);
    expect(allowedActions(req("changes_requested"), alice)).toEqual(["submit", "update", "abandon"]);
    expect(allowedActions(req("submitted"), alice)).toEqual(["update", "abandon"]);
  });
});
