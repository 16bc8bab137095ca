/**
 * Change requests on the local backend, for real: the demo image unpacked, edited through the file workflow
 * and by hand, bundled, reviewed, packed from the request; refusals with what to do.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTempDatabase } from "@/lib/xcat/test-db";

const dir = createTempDatabase("requests-");
process.env.ROOTIMG_XCAT_LOCK_DIR = path.join(dir, "lock");
const { prisma } = await import("@/lib/db/client");
const { isAppError } = await import("@/lib/errors");
const { activeJobs } = await import("@/lib/jobs/active-jobs");
const { prepareImagesAtStart } = await import("@/lib/images/prepare-images-at-start");
const { unpackImage } = await import("@/lib/images/unpack-image");
const { packImage } = await import("@/lib/images/pack-image");
const { rollbackImage } = await import("@/lib/images/rollback-image");
const { runFileChange } = await import("@/lib/files/record-file-change");
const { DEMO_IMAGE_NAME: IMG } = await import("@/lib/xcat/demo-files");
const { addComment, createRequest, getItemContent, getRequest, transition, updateRequest, waitingFor } = await import("./requests");
const { checkPack } = await import("./pack-gate");
const { setPolicy } = await import("./policy");

const alice = { id: "u1", username: "alice", role: "editor" as const };
const rita = { id: "u2", username: "rita", role: "reviewer" as const };
const ada = { id: "u3", username: "ada", role: "admin" as const };
const tree = path.join(dir, "images", IMG, "rootimg");

afterAll(async () => {
  await prisma.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
});

const save = (p: string, text: string) =>
  runFileChange(
    { user: alice, image: IMG, tree, kind: "content", action: "file.save", target: p },
    () => fs.writeFileSync(path.join(tree, p), text),
    () => ({ paths: [p] }),
  );

async function refused(p: Promise<unknown>): Promise<{ code: string; reason: unknown; message: string; details: Record<string, unknown> }> {
  try {
    await p;
  } catch (e) {
    if (!isAppError(e)) throw e;
    return { code: e.code, reason: e.details?.reason, message: e.message, details: e.details ?? {} };
  }
  throw new Error("expected a refusal");
}

async function pack(request?: number) {
  const { jobId } = await packImage({ name: IMG, user: alice, request });
  await activeJobs.get(jobId)?.finished;
  return prisma.job.findUniqueOrThrow({ where: { id: jobId } });
}

describe("change requests", () => {
  let id = 0;
  const motd0 = () => fs.readFileSync(path.join(tree, "etc/motd"), "utf8");

  it("captures the pending changes of an unpacked image: kinds, both sides, the text as it was", async () => {
    await prepareImagesAtStart(() => {});
    const { jobId } = await unpackImage({ name: IMG, user: alice, mode: "unpack" });
    await activeJobs.get(jobId!)?.finished;
    await expect(createRequest({ image: IMG, title: "nothing", description: "", user: alice })).rejects.toThrow(/no pending change/);
    await save("/etc/motd", `${motd0()}welcome to the review\n`);
    fs.chmodSync(path.join(tree, "etc/passwd"), 0o600);

    const r = await createRequest({ image: IMG, title: "motd and passwd", description: "why", user: alice });
    id = r.id;
    expect(r.state).toBe("submitted");
    const d = await getRequest(id, rita);
    const byPath = new Map(d.items.map((i) => [i.path, i]));
    expect(byPath.get("/etc/motd")).toMatchObject({ kind: "modified", source: { by: ["alice"] } });
    expect(byPath.get("/etc/motd")?.after).toMatchObject({ type: "file", mode: 0o644, owner: "root", group: "root" });
    expect(byPath.get("/etc/passwd")).toMatchObject({
      kind: "metadata",
      fields: ["mode"],
      before: { mode: 0o644 },
      after: { mode: 0o600 },
    });
    expect(d.actions).toEqual(["approve", "request_changes"]);
    expect(d.events.map((e) => [e.action, e.toState])).toEqual([["create", "submitted"]]);
    expect((await prisma.auditLog.findMany({ where: { action: "request.create" } })).length).toBe(1);
    expect(await waitingFor(rita)).toEqual({ review: [id], own: [] });
    expect(await waitingFor(alice)).toEqual({ review: [], own: [] });
  });

  it("later edits do not enter it: they show as changed since submitted until the author updates", async () => {
    const captured = (await getRequest(id, alice)).items.find((i) => i.path === "/etc/motd");
    const text = motd0();
    await save("/etc/motd", `${text}a later line\n`);
    const d = await getRequest(id, alice);
    expect(d.items.find((i) => i.path === "/etc/motd")).toMatchObject({ changedSince: true, after: captured?.after });
    expect(d.items.find((i) => i.path === "/etc/passwd")?.changedSince).toBe(false);
    // the captured text is what was submitted, not the file now; the before side is the pristine text
    expect(captured?.text).toBe(true);
    const content = await getItemContent(id, 1, "/etc/motd", alice);
    expect(content.after).toBe(text);
    expect(`${content.before}welcome to the review\n`).toBe(text);
  });

  it("a reviewer comments on a line; the author cannot approve; changes requested; the author updates and it is reviewed again", async () => {
    const own = await refused(transition({ id, action: "approve", user: alice }));
    expect(own.code).toBe("forbidden");
    const adminOwn = await createRequest({ image: IMG, title: "by the admin", description: "", paths: ["/etc/passwd"], user: ada });
    expect((await refused(transition({ id: adminOwn.id, action: "approve", user: ada }))).reason).toBe("own-request");
    await transition({ id: adminOwn.id, action: "abandon", user: ada });
    expect(await prisma.auditLog.count({ where: { action: "request.approve", outcome: "denied" } })).toBe(2);

    await addComment({ id, user: rita, body: "the whole request: fine", revision: 1 });
    await addComment({ id, user: rita, body: "not this file", path: "/etc/passwd" });
    await expect(addComment({ id, user: rita, body: "x", path: "/etc/nothing" })).rejects.toThrow(/not part of revision 1/);
    await transition({ id, action: "request_changes", user: rita, comment: "add a line" });
    expect((await getRequest(id, alice)).state).toBe("changes_requested");
    expect(await waitingFor(alice)).toEqual({ review: [], own: [id] });

    const u = await updateRequest({ id, user: alice });
    expect(u).toMatchObject({ revision: 2, state: "submitted" });
    const d = await getRequest(id, rita);
    expect(d.items.find((i) => i.path === "/etc/motd")?.changedSince).toBe(false);
    expect(d.revisions.map((x) => x.revision)).toEqual([1, 2]);
    // the comments on revision 1 stay with revision 1
    expect(d.comments.map((c) => [c.revision, c.path, c.body])).toEqual([
      [1, null, "the whole request: fine"],
      [1, "/etc/passwd", "not this file"],
      [1, null, "add a line"],
    ]);
    expect(d.events.map((e) => e.action)).toEqual(["create", "request_changes", "update"]);
    expect(d.events.at(-1)?.detail).toMatchObject({ revision: 2, changed: ["/etc/motd"] });
  });

  it("a pack from an approved request refuses changes outside it, listing them, then records the request on the version", async () => {
    expect((await refused(checkPack(IMG, id))).reason).toBe("not-approved");
    await transition({ id, action: "approve", user: rita });
    fs.writeFileSync(path.join(tree, "etc/extra.conf"), "not reviewed\n");
    const r = await refused(checkPack(IMG, id));
    expect(r).toMatchObject({ code: "conflict", reason: "unapproved-changes" });
    expect(r.details.extra).toEqual([{ path: "/etc/extra.conf", kind: "added", why: "not-in-request" }]);
    expect(r.message).toMatch(/\/etc\/extra\.conf.*Revert it, or update the request/);
    await expect(packImage({ name: IMG, user: alice, request: id })).rejects.toThrow(/outside approved change request/);

    fs.rmSync(path.join(tree, "etc/extra.conf"));
    const job = await pack(id);
    expect(job.state).toBe("succeeded");
    const v = await prisma.imageVersion.findFirstOrThrow({ where: { image: IMG, live: true } });
    expect(v.changeId).toBe(String(id));
    const d = await getRequest(id, alice);
    expect(d).toMatchObject({ state: "packed", packedSeq: v.seq });
    expect(d.events.map((e) => e.action)).toEqual(["create", "request_changes", "update", "approve", "pack"]);
  });

  it("a request on an image repacked or rolled back since it was captured is stale; approving it is refused", async () => {
    await save("/etc/motd", "second change\n");
    const second = await createRequest({ image: IMG, title: "second", description: "", user: alice });
    await save("/etc/hostname", "moved\n");
    await setPolicy({ image: IMG, packRequiresApproval: true, deployRequiresApproval: true, user: ada });
    expect((await refused(checkPack(IMG, undefined))).reason).toBe("approval-required");
    await setPolicy({ image: IMG, packRequiresApproval: false, deployRequiresApproval: true, user: ada });
    const live = await prisma.imageVersion.findFirstOrThrow({ where: { image: IMG, live: true } });
    expect((await pack()).state).toBe("succeeded");

    const d = await getRequest(second.id, rita);
    expect(d.staleness).toMatchObject({ stale: true });
    expect(d.staleness.reason).toMatch(new RegExp(`repacked: version ${live.seq + 1} .* captured against version ${live.seq}`));
    expect(d.actions).toEqual(["request_changes"]);
    const r = await refused(transition({ id: second.id, action: "approve", user: rita }));
    expect(r.reason).toBe("stale");

    await rollbackImage({ name: IMG, seq: live.seq, user: alice });
    const back = await getRequest(second.id, rita);
    // rolled back to exactly the version it was captured against: no longer stale
    expect(back.staleness.stale).toBe(false);
  });

  it("sensitive image files: a viewer sees that /etc/shadow is in a request, not its captured text; an editor reads it", async () => {
    const vic = { id: "u4", username: "vic", role: "viewer" as const };
    const shadow = fs.readFileSync(path.join(tree, "etc/shadow"), "utf8");
    await save("/etc/shadow", `${shadow}hpcuser2:!:19000:0:99999:7:::\n`);
    const r = await createRequest({ image: IMG, title: "a user", description: "", paths: ["/etc/shadow"], user: alice });
    expect((await getRequest(r.id, vic)).items.map((i) => [i.path, i.text])).toEqual([["/etc/shadow", true]]);
    const hidden = await refused(getItemContent(r.id, 1, "/etc/shadow", vic));
    expect([hidden.code, hidden.reason]).toEqual(["forbidden", "sensitive"]);
    expect((await getItemContent(r.id, 1, "/etc/shadow", alice)).after).toContain("hpcuser2:");
  });
});
