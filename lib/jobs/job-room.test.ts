import "@/lib/db/test-database";
import { describe, expect, it } from "vitest";
import { makeUser } from "@/lib/auth/test-users";
import { activeJobs } from "./active-jobs";
import { jobRoom } from "./job-room";
import { startJob } from "./start-job";

/** What the assertions read of a replayed job:update or job:log. */
type Payload = { state?: string; lines: { line: string; seq: number }[] };

/** Joins like a client that opens the page late: what does it get? */
async function join(id: string, user: Awaited<ReturnType<typeof makeUser>>["user"]) {
  const got: { event: string; data: Payload }[] = [];
  await jobRoom.onJoin?.({ user, emit: (event, data) => got.push({ event, data: data as Payload }) }, id);
  return got;
}

describe("job room replay", () => {
  it("gives a late joiner the whole log, including lines not yet written to the database", async () => {
    const viewer = await makeUser("viewer");
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    let logged!: () => void;
    const wrote = new Promise<void>((r) => (logged = r));
    const id = await startJob({
      type: "test.replay",
      user: viewer.user,
      unit: "steps",
      async run(ctx) {
        for (let i = 1; i <= 5; i++) ctx.log(`line ${i}`);
        ctx.progress(5, 10);
        logged();
        await hold;
        ctx.log("line 6");
      },
    });
    await wrote;
    // Lines 1-5 sit in the writer's buffer (flushed every 250 ms): the replay must still contain them.
    const mid = await join(id, viewer.user);
    expect(mid[0]).toMatchObject({ event: "job:update", data: { id, state: "running" } });
    expect(mid[1].event).toBe("job:log");
    expect(mid[1].data.lines.map((l) => l.line)).toEqual(["line 1", "line 2", "line 3", "line 4", "line 5"]);

    release();
    await activeJobs.get(id)?.finished;
    const after = await join(id, viewer.user);
    expect(after[0].data.state).toBe("succeeded");
    expect(after[1].data.lines.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("reports an unknown job as not found", async () => {
    const viewer = await makeUser("viewer");
    await expect(join("no-such-job", viewer.user)).rejects.toMatchObject({ code: "not_found" });
  });
});
