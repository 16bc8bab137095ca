/**
 * Pending changes on the local backend, for real: the demo image unpacked by the product, edited through
 * the file workflow (recorded) and by hand (not recorded), then listed.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTempDatabase } from "@/lib/xcat/test-db";

const dir = createTempDatabase("pending-changes-");
process.env.ROOTIMG_XCAT_LOCK_DIR = path.join(dir, "lock");
const { prisma } = await import("@/lib/db/client");
const { activeJobs } = await import("@/lib/jobs/active-jobs");
const { prepareImagesAtStart } = await import("@/lib/images/prepare-images-at-start");
const { unpackImage } = await import("@/lib/images/unpack-image");
const { packImage } = await import("@/lib/images/pack-image");
const { runFileChange } = await import("@/lib/files/record-file-change");
const { DEMO_IMAGE_NAME } = await import("@/lib/xcat/demo-files");
const { changedPaths } = await import("@/lib/files/changed-paths");
const { listPendingChanges, pendingChangesOf } = await import("./list-pending-changes");

const alice = { id: "u1", username: "alice", role: "editor" as const };
const bob = { id: "u2", username: "bob", role: "editor" as const };
const tree = path.join(dir, "images", DEMO_IMAGE_NAME, "rootimg");

afterAll(async () => {
  await prisma.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("listPendingChanges", () => {
  it("lists nothing while no image is unpacked", async () => {
    await prepareImagesAtStart(() => {});
    expect(await listPendingChanges()).toEqual([]);
  });

  it("lists what the disk says changed, attributed to who edited it here", async () => {
    const { jobId } = await unpackImage({ name: DEMO_IMAGE_NAME, user: alice, mode: "unpack" });
    await activeJobs.get(jobId!)?.finished;
    expect((await pendingChangesOf(DEMO_IMAGE_NAME)).changes).toEqual([]);

    const edit = (user: typeof alice, p: string, text: string) =>
      runFileChange(
        { user, image: DEMO_IMAGE_NAME, tree, kind: "content", action: "file.save", target: p },
        () => fs.writeFileSync(path.join(tree, p), text),
        () => ({ paths: [p] }),
      );
    await edit(alice, "/etc/motd", "edited by alice\n");
    await edit(bob, "/etc/motd", "edited by bob\n");
    // An edit that was undone is not pending, whoever recorded it.
    const hostname = fs.readFileSync(path.join(tree, "etc/hostname"));
    await edit(alice, "/etc/hostname", "changed\n");
    await edit(alice, "/etc/hostname", hostname.toString());
    fs.utimesSync(
      path.join(tree, "etc/hostname"),
      fs.statSync(path.join(tree, "etc/hostname")).atime,
      fs.statSync(path.join(tree, "etc/motd")).mtime,
    );
    // Changes made outside the editor (a chroot command, a shell on the management node) count too.
    fs.writeFileSync(path.join(tree, "etc/added-by-hand.conf"), "x=1\n");
    fs.chmodSync(path.join(tree, "etc/passwd"), 0o600);
    // a setuid program and a device node are highlighted for the reviewer
    fs.writeFileSync(path.join(tree, "etc/suid-by-hand"), "");
    fs.chmodSync(path.join(tree, "etc/suid-by-hand"), 0o4755);
    execFileSync("mknod", [path.join(tree, "etc/dev-by-hand"), "b", "8", "0"]);

    const [im] = await listPendingChanges();
    expect(im).toMatchObject({ image: DEMO_IMAGE_NAME, state: "unpacked", unpackedBy: "alice", compared: true });
    const byPath = new Map(im.changes.map((c) => [c.path, c]));
    expect(byPath.get("/etc/motd")).toMatchObject({ kind: "modified", letter: "M", by: ["alice", "bob"], edits: 2 });
    expect(byPath.get("/etc/added-by-hand.conf")).toMatchObject({ kind: "added", letter: "A", by: [], edits: 0 });
    expect(byPath.get("/etc/passwd")).toMatchObject({ kind: "metadata", fields: ["mode"], by: [] });
    expect(byPath.has("/etc/hostname")).toBe(false);
    expect(byPath.get("/etc/suid-by-hand")).toMatchObject({ kind: "added", privileged: ["setuid"] });
    expect(byPath.get("/etc/dev-by-hand")).toMatchObject({ kind: "added", privileged: ["device"] });
    expect(byPath.get("/etc/passwd")?.privileged).toBeUndefined();
    // the next tests compare with the changes above only
    for (const n of ["etc/suid-by-hand", "etc/dev-by-hand"]) fs.rmSync(path.join(tree, n));
  });

  it("after a pack nothing is pending, and later edits are attributed to their authors only", async () => {
    // the tree's marks (cached diff) show the edits before the pack and none right after it
    expect((await changedPaths(DEMO_IMAGE_NAME, tree)).paths).toEqual(["/etc/added-by-hand.conf", "/etc/motd", "/etc/passwd"]);
    const { jobId } = await packImage({ name: DEMO_IMAGE_NAME, user: alice });
    await activeJobs.get(jobId)?.finished;
    expect((await prisma.job.findUniqueOrThrow({ where: { id: jobId } })).state).toBe("succeeded");
    expect((await pendingChangesOf(DEMO_IMAGE_NAME)).changes).toEqual([]);
    expect((await changedPaths(DEMO_IMAGE_NAME, tree)).paths).toEqual([]);
    await runFileChange(
      { user: bob, image: DEMO_IMAGE_NAME, tree, kind: "content", action: "file.save", target: "/etc/motd" },
      () => fs.writeFileSync(path.join(tree, "etc/motd"), "after the pack\n"),
      () => ({ paths: ["/etc/motd"] }),
    );
    const im = await pendingChangesOf(DEMO_IMAGE_NAME);
    expect(im.changes).toMatchObject([{ path: "/etc/motd", kind: "modified", by: ["bob"], edits: 1 }]);
  });

  it("without a pristine manifest, lists the recorded edits and says it could not compare", async () => {
    const manifests = fs.readdirSync(path.join(path.dirname(tree), ".rootimg-studio", "rootimg"));
    for (const f of manifests) fs.renameSync(path.join(path.dirname(tree), ".rootimg-studio", "rootimg", f), path.join(dir, `saved-${f}`));
    const im = await pendingChangesOf(DEMO_IMAGE_NAME);
    expect(im.compared).toBe(false);
    expect(im.error).toMatch(/Not compared with the pristine image: no pristine manifest/);
    expect(im.changes.map((c) => [c.path, c.kind, c.by])).toEqual([["/etc/motd", "recorded", ["bob"]]]);
  });
});
