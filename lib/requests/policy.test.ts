import { describe, expect, it } from "vitest";
import { isAppError } from "@/lib/errors";
import { decideDeploy, decidePack, type PackFacts } from "./policy";
import type { SideMeta } from "./tree-side";

const motd: SideMeta = { type: "file", mode: 0o644, uid: 0, gid: 0, size: 6, sha256: "aa" };
const passwdMode: SideMeta = { type: "file", mode: 0o600, uid: 0, gid: 0, size: 900, sha256: "bb" };

function refusal(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    if (!isAppError(e)) throw e;
    return { code: e.code, message: e.message, details: e.details ?? {} };
  }
  throw new Error("expected a refusal");
}

const approved = (over: Partial<NonNullable<PackFacts["request"]>> = {}): NonNullable<PackFacts["request"]> => ({
  id: 7,
  image: "img",
  state: "approved",
  staleness: { stale: false },
  items: [
    { path: "/etc/motd", after: motd },
    { path: "/etc/passwd", after: passwdMode },
  ],
  ...over,
});
const facts = (over: Partial<PackFacts> = {}): PackFacts => ({
  image: "img",
  policy: { packRequiresApproval: false },
  pending: [
    { path: "/etc/motd", kind: "modified" },
    { path: "/etc/passwd", kind: "metadata" },
  ],
  current: new Map([
    ["/etc/motd", motd],
    ["/etc/passwd", passwdMode],
  ]),
  ...over,
});

describe("pack policy", () => {
  it("by default packing is free and records no request", () => {
    expect(decidePack(facts())).toBeUndefined();
  });

  it("when the image needs approval, a pack without a request is refused and says what to do", () => {
    const r = refusal(() => decidePack(facts({ policy: { packRequiresApproval: true } })));
    expect(r.code).toBe("conflict");
    expect(r.details.reason).toBe("approval-required");
    expect(r.message).toMatch(/Submit the pending changes as a change request/);
  });

  it("a pack of an approved request that holds exactly the pending changes records the request", () => {
    expect(decidePack(facts({ request: approved(), policy: { packRequiresApproval: true } }))).toBe(7);
  });

  it("refuses a pack that would contain changes outside the approved request, listing each", () => {
    const r = refusal(() =>
      decidePack(
        facts({
          request: approved(),
          pending: [
            { path: "/etc/motd", kind: "modified" },
            { path: "/etc/passwd", kind: "metadata" },
            { path: "/etc/extra.conf", kind: "added" },
          ],
          current: new Map([
            ["/etc/motd", { ...motd, sha256: "cc" }],
            ["/etc/passwd", passwdMode],
            ["/etc/extra.conf", motd],
          ]),
        }),
      ),
    );
    expect(r.details.reason).toBe("unapproved-changes");
    expect(r.details.extra).toEqual([
      { path: "/etc/motd", kind: "modified", why: "changed-since-approved" },
      { path: "/etc/extra.conf", kind: "added", why: "not-in-request" },
    ]);
    expect(r.message).toMatch(/2 changes outside approved change request #7: .*\/etc\/extra\.conf .*Revert them, or update the request/);
  });

  it("a mode changed again after approval is a change outside the request", () => {
    const r = refusal(() =>
      decidePack(
        facts({
          request: approved(),
          current: new Map([
            ["/etc/motd", motd],
            ["/etc/passwd", { ...passwdMode, mode: 0o640 }],
          ]),
        }),
      ),
    );
    expect(r.details.extra).toEqual([{ path: "/etc/passwd", kind: "metadata", why: "changed-since-approved" }]);
  });

  it("refuses requests that are not approved, stale, or of another image", () => {
    expect(refusal(() => decidePack(facts({ request: approved({ state: "submitted" }) }))).details.reason).toBe("not-approved");
    const stale = refusal(() =>
      decidePack(facts({ request: approved({ staleness: { stale: true, reason: "the image was rolled back" } }) })),
    );
    expect(stale.details.reason).toBe("stale");
    expect(stale.message).toMatch(/rolled back.*update it/);
    expect(refusal(() => decidePack(facts({ request: approved({ image: "other" }) }))).code).toBe("unprocessable");
  });
});

describe("deploy policy", () => {
  const testHost = { name: "testhost-a000", kind: "testhost" as const };
  const node = { name: "cn01", kind: "xcat" as const };
  const base = { image: "img", seq: 3, policy: { deployRequiresApproval: true } };

  it("test hosts never need approval", () => {
    expect(() => decideDeploy({ ...base, targets: [testHost], request: null })).not.toThrow();
  });

  it("by default nodes need a version packed from an approved request", () => {
    const r = refusal(() => decideDeploy({ ...base, targets: [testHost, node], request: null }));
    expect(r.details).toMatchObject({ reason: "approval-required", nodes: ["cn01"], seq: 3 });
    expect(r.message).toMatch(/version 3 was not.*test hosts need no approval/);
    expect(() => decideDeploy({ ...base, targets: [node], request: { id: 2, state: "packed" } })).not.toThrow();
    expect(() => decideDeploy({ ...base, targets: [node], request: { id: 2, state: "deployed" } })).not.toThrow();
    // a request abandoned after its pack does not vouch for the version
    expect(refusal(() => decideDeploy({ ...base, targets: [node], request: { id: 2, state: "abandoned" } })).details.reason).toBe(
      "approval-required",
    );
  });

  it("an admin can let nodes be deployed without approval", () => {
    expect(() => decideDeploy({ ...base, policy: { deployRequiresApproval: false }, targets: [node], request: null })).not.toThrow();
  });
});
