/**
 * The review on the local backend, for real: the demo image unpacked by the product (small text files kept),
 * changed through the file workflow (pristine copy kept first) and by hand, each change's diff with who and
 * how, reverted one by one and all at once through the gate (recorded and audited), then packed: the store is
 * dropped and two versions compare.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTempDatabase } from "@/lib/xcat/test-db";

const dir = createTempDatabase("review-flow-");
process.env.ROOTIMG_XCAT_LOCK_DIR = path.join(dir, "lock");
const { prisma } = await import("@/lib/db/client");
const { activeJobs } = await import("@/lib/jobs/active-jobs");
const { prepareImagesAtStart } = await import("@/lib/images/prepare-images-at-start");
const { unpackImage } = await import("@/lib/images/unpack-image");
const { packImage } = await import("@/lib/images/pack-image");
const { runFileChange } = await import("@/lib/files/record-file-change");
const { pendingChangesOf } = await import("@/lib/changes/list-pending-changes");
const { DEMO_IMAGE_NAME } = await import("@/lib/xcat/demo-files");
const { changeDiffOf } = await import("./change-diff");
const { pristineStoreDir, readPristine, seedsSettled } = await import("./pristine-store");
const { revertAll, revertChange } = await import("./revert-change");
const { compareVersions, compareVersionFile } = await import("./compare-versions");

const alice = { id: "u1", username: "alice", role: "editor" as const };
const image = DEMO_IMAGE_NAME;
const tree = path.join(dir, "images", image, "rootimg");

afterAll(async () => {
  await prisma.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function finished(jobId: string | undefined): Promise<void> {
  await activeJobs.get(jobId!)?.finished;
  expect((await prisma.job.findUniqueOrThrow({ where: { id: jobId! } })).state).toBe("succeeded");
}

describe("the review of a product-unpacked image", () => {
  it("keeps small text files at unpack, and shows each change with who made it and how", async () => {
    await prepareImagesAtStart(() => {});
    await finished((await unpackImage({ name: image, user: alice, mode: "unpack" })).jobId);
    await seedsSettled();
    expect(fs.existsSync(path.join(pristineStoreDir(tree), "seed.pack"))).toBe(true);
    const motd = fs.readFileSync(path.join(tree, "etc/motd"), "utf8");
    await runFileChange(
      { user: alice, image, tree, kind: "content", action: "file.save", target: "/etc/motd" },
      () => fs.writeFileSync(path.join(tree, "etc/motd"), `${motd}reviewed\n`),
      () => ({ paths: ["/etc/motd"] }),
    );
    await runFileChange(
      { user: alice, image, tree, kind: "mode", action: "file.chmod", target: "/etc/hostname" },
      () => fs.chmodSync(path.join(tree, "etc/hostname"), 0o600),
      () => ({ paths: ["/etc/hostname"] }),
    );
    fs.writeFileSync(path.join(tree, "etc/by-hand.conf"), "x=1\n");

    const d = await changeDiffOf(image, "/etc/motd");
    expect(d).toMatchObject({
      kind: "content",
      sources: [{ how: "editor", by: "alice" }],
      content: { kind: "text", before: motd, after: `${motd}reviewed\n` },
    });
    expect((await changeDiffOf(image, "/etc/hostname")).sources).toMatchObject([{ how: "attributes", by: "alice" }]);
    expect((await changeDiffOf(image, "/etc/by-hand.conf")).sources).toMatchObject([{ how: "outside" }]);
    expect(await readPristine(image, "/etc/by-hand.conf")).toBeNull();
  });

  it("reverts one change through the gate, recorded and audited, then all the others", async () => {
    expect(await revertChange({ image, path: "/etc/hostname", user: alice })).toEqual({ path: "/etc/hostname", action: "metadata" });
    expect(await prisma.auditLog.findFirst({ where: { image, action: "file.revert" } })).toMatchObject({
      target: "/etc/hostname",
      outcome: "ok",
      username: "alice",
    });
    expect(await prisma.pendingChange.findFirst({ where: { image, kind: "revert" } })).toMatchObject({ path: "/etc/hostname" });
    expect((await pendingChangesOf(image)).changes.map((c) => c.path)).toEqual(["/etc/by-hand.conf", "/etc/motd"]);
    const all = await revertAll({ image, user: alice, paths: ["/etc/by-hand.conf", "/etc/motd"] });
    expect(all.map((r) => [r.path, r.action])).toEqual([
      ["/etc/by-hand.conf", "removed"],
      ["/etc/motd", "restored"],
    ]);
    expect((await pendingChangesOf(image)).changes).toEqual([]);
  });

  it("drops the store at a pack, and compares the two versions", async () => {
    await runFileChange(
      { user: alice, image, tree, kind: "content", action: "file.save", target: "/etc/motd" },
      () => fs.appendFileSync(path.join(tree, "etc/motd"), "packed\n"),
      () => ({ paths: ["/etc/motd"] }),
    );
    await finished((await packImage({ name: image, user: alice })).jobId);
    expect(fs.existsSync(pristineStoreDir(tree))).toBe(false);
    const seqs = (await prisma.imageVersion.findMany({ where: { image }, orderBy: { seq: "asc" } })).map((v) => v.seq);
    const [from, to] = seqs.slice(-2);
    const r = await compareVersions({ image, from, to });
    expect(r.changes.map((c) => c.path)).toContain("/etc/motd");
    const f = await compareVersionFile({ image, from, to, path: "/etc/motd" });
    expect(f.content).toMatchObject({ kind: "text" });
    expect(f.content.kind === "text" && f.content.after?.endsWith("packed\n")).toBe(true);
    // after the pack the pristine side comes from the product's archive through its member index
    fs.appendFileSync(path.join(tree, "etc/motd"), "by hand\n");
    expect((await readPristine(image, "/etc/motd"))?.readCost).toBe("archive-index");
    expect((await changeDiffOf(image, "/etc/motd")).content).toMatchObject({
      kind: "text",
      after: expect.stringMatching(/packed\nby hand\n$/),
    });
  });
});
