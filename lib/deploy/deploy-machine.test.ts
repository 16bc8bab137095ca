import { describe, expect, it } from "vitest";
import { advance, initialTarget, summarize, type TargetState } from "./deploy-machine";

const UUID = "a551732e-c56b-425d-999c-9bb146451180";
const OLD = "0f0f0f0f-1111-2222-3333-444444444444";
const t0 = new Date("2026-12-02T05:00:00Z");
const at = (s: number) => new Date(t0.getTime() + s * 1000);

function bootTo(t: TargetState): TargetState {
  t = advance(t, { type: "nodeset-done", detail: "netboot debian12-x86_64-compute" }, at(1));
  t = advance(t, { type: "power-sent", detail: "boot" }, at(2));
  return advance(t, { type: "booting" }, at(3));
}

describe("deploy state machine", () => {
  it("walks a node to verified with a timestamp per state", () => {
    const t = advance(
      bootTo(initialTarget("th1", UUID, t0)),
      { type: "stamp", uuid: UUID, timestamp: "Wed Dec 02 04:39:52 UTC 2026" },
      at(20),
    );
    expect(t.state).toBe("verified");
    expect(t.seenUuid).toBe(UUID);
    expect(t.history.map((h) => [h.state, h.at])).toEqual([
      ["pending", "2026-12-02T05:00:00.000Z"],
      ["nodeset", "2026-12-02T05:00:01.000Z"],
      ["power", "2026-12-02T05:00:02.000Z"],
      ["booting", "2026-12-02T05:00:03.000Z"],
      ["booted", "2026-12-02T05:00:20.000Z"],
      ["verified", "2026-12-02T05:00:20.000Z"],
    ]);
  });

  it("flags a node that booted an older pack with both UUIDs", () => {
    const t = advance(bootTo(initialTarget("th1", UUID, t0)), { type: "stamp", uuid: OLD }, at(20));
    expect(t.state).toBe("mismatch");
    expect(t.message).toContain(OLD);
    expect(t.message).toContain(UUID);
  });

  it("fails a boot without a stamp, and keeps the step's message on failure", () => {
    expect(advance(bootTo(initialTarget("th1", UUID, t0)), { type: "stamp", uuid: undefined }).state).toBe("failed");
    const f = advance(advance(initialTarget("n3", UUID), { type: "nodeset-done" }), { type: "fail", message: "ERROR: timeout" });
    expect(f).toMatchObject({ state: "failed", message: "ERROR: timeout" });
  });

  it("refuses moves out of order and out of a final state", () => {
    expect(() => advance(initialTarget("th1", UUID), { type: "power-sent" })).toThrow(/power-sent is not allowed in state pending/);
    const done = advance(bootTo(initialTarget("th1", UUID)), { type: "stamp", uuid: UUID });
    expect(() => advance(done, { type: "fail", message: "late" })).toThrow(/not allowed in state verified/);
  });

  it("summarizes: one of five failing leaves the others verified", () => {
    const ok = (n: string) => advance(bootTo(initialTarget(n, UUID)), { type: "stamp", uuid: UUID });
    const bad = advance(initialTarget("n5", UUID), { type: "fail", message: "ERROR: timeout" });
    expect(summarize([ok("n1"), ok("n2"), ok("n3"), ok("n4"), bad])).toEqual({ ok: false, text: "4 of 5 verified, 1 failed" });
    expect(summarize([ok("n1")])).toEqual({ ok: true, text: "1 of 1 verified" });
  });
});
