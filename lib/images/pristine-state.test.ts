/**
 * What "pending changes" compare with, for real (SQLite, files, the product's pack): a tree genimage left is
 * adopted with a recorded manifest (a job with progress); a pack makes the packed state pristine; a rollback
 * brings back the pristine state of the version it republishes; a replace cut by a crash is restored at
 * start-up and says so in the job log and the audit log.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTempDatabase } from "@/lib/xcat/test-db";

const dir = createTempDatabase("pristine-state-");
process.env.ROOTIMG_XCAT_LOCK_DIR = path.join(dir, "lock");
process.env.ROOTIMG_DEMO_IMAGE = "0";
const { prisma } = await import("@/lib/db/client");
const { activeJobs } = await import("@/lib/jobs/active-jobs");
const { interruptStaleJobs } = await import("@/lib/jobs/interrupt-stale-jobs");
const { diffTree, readManifest } = await import("@/lib/archive");
const { unpackImage } = await import("./unpack-image");
const { packImage } = await import("./pack-image");
const { rollbackImage } = await import("./rollback-image");
const { replaceTree } = await import("./replace-tree");
const { prepareImagesAtStart } = await import("./prepare-images-at-start");
const { versionManifestPath } = await import("./version-manifests");
const { getBackend } = await import("@/lib/xcat/select-backend");

const user = { id: "u1", username: "editor1" };
const NAME = "genimage-left";
const rootimgdir = path.join(dir, "gen");
const tree = path.join(rootimgdir, "rootimg");
const changes = async () => (await diffTree({ tree })).changes.map((c) => `${c.letter} ${c.path}`);

async function finished(jobId: string) {
  await activeJobs.get(jobId)?.finished;
  return prisma.job.findUniqueOrThrow({ where: { id: jobId } });
}

describe("the pristine state follows what is published", () => {
  it("adopting a tree without a manifest records one as a job with byte progress; the diff then works", async () => {
    // What genimage leaves: files, a hard link, a symlink, a device, a FIFO, sub-second mtimes.
    fs.mkdirSync(path.join(tree, "etc"), { recursive: true });
    fs.mkdirSync(path.join(tree, "dev"));
    fs.mkdirSync(path.join(tree, "usr/bin"), { recursive: true });
    fs.writeFileSync(path.join(tree, "etc/motd"), "built by genimage\n");
    fs.writeFileSync(path.join(tree, "usr/bin/tool"), Buffer.alloc(3 << 20, 7));
    fs.linkSync(path.join(tree, "usr/bin/tool"), path.join(tree, "usr/bin/tool-link"));
    fs.symlinkSync("../usr/bin/tool", path.join(tree, "etc/tool"));
    execFileSync("mknod", [path.join(tree, "dev/console"), "c", "5", "1"]);
    execFileSync("mkfifo", [path.join(tree, "etc/fifo")]);
    await (getBackend() as import("@/lib/xcat/local-backend").LocalBackend).registerImage({
      imagename: NAME,
      osvers: "x",
      osarch: "x86_64",
      profile: "p",
      rootimgdir,
    });
    await expect(diffTree({ tree })).rejects.toThrow(/no pristine manifest/);

    const r = await unpackImage({ name: NAME, user, mode: "use-existing" });
    expect(r.jobId).toBeDefined();
    const job = await finished(r.jobId!);
    expect(job.error).toBeNull();
    expect(job).toMatchObject({ type: "image.workspace.adopt", unit: "bytes", state: "succeeded" });
    expect(job.total).toBe((3 << 20) + "built by genimage\n".length); // the hard link is hashed once
    expect(job.done).toBe(job.total);
    expect(JSON.parse(job.result!)).toMatchObject({ entries: 11, filesHashed: 2 });
    expect(await changes()).toEqual([]);
    expect((await prisma.workspace.findUniqueOrThrow({ where: { image: NAME } })).state).toBe("unpacked");
    const audit = await prisma.auditLog.findFirst({ where: { action: "image.workspace.adopt", outcome: "ok" } });
    expect(audit).toMatchObject({ image: NAME, username: "editor1" });

    fs.writeFileSync(path.join(tree, "etc/motd"), "edited\n");
    fs.chmodSync(path.join(tree, "usr/bin/tool"), 0o700);
    expect(await changes()).toEqual(["M etc/motd", "m usr/bin/tool", "m usr/bin/tool-link"]);
  });

  it("adopting again keeps the recorded manifest (the pending changes stay)", async () => {
    const r = await unpackImage({ name: NAME, user, mode: "use-existing" });
    expect(r.jobId).toBeUndefined();
    expect(await changes()).toEqual(["M etc/motd", "m usr/bin/tool", "m usr/bin/tool-link"]);
  });

  it("a pack makes the packed state pristine: nothing is pending, recorded edits are marked packed", async () => {
    await prisma.pendingChange.create({ data: { image: NAME, path: "/etc/motd", kind: "save", userId: user.id, username: user.username } });
    const job = await finished((await packImage({ name: NAME, user })).jobId);
    expect(job.error).toBeNull();
    expect(await changes()).toEqual([]);
    expect(fs.existsSync(versionManifestPath(rootimgdir, 1))).toBe(true);
    expect((await readManifest(tree))!.archive).toBe(path.join(rootimgdir, "rootimg.cpio.gz"));
    expect(await prisma.pendingChange.count({ where: { image: NAME, changeSet: null } })).toBe(0);
    const log = await prisma.jobLog.findMany({ where: { jobId: job.id }, orderBy: { seq: "asc" } });
    expect(log.map((l) => l.line).join("\n")).toMatch(
      /pending changes now compare with version 1: \d+ entries recorded \(\d+ files hashed, \d+ unchanged\)/,
    );
  });

  it("rolling back restores the pristine state of that version; rolling forward again clears it", async () => {
    fs.writeFileSync(path.join(tree, "etc/motd"), "second edit\n");
    await new Promise((r) => setTimeout(r, 20));
    await prisma.pendingChange.create({ data: { image: NAME, path: "/etc/motd", kind: "save", userId: user.id, username: user.username } });
    expect((await finished((await packImage({ name: NAME, user })).jobId)).state).toBe("succeeded");
    expect(await changes()).toEqual([]);

    await rollbackImage({ name: NAME, seq: 1, user });
    // the tree still holds version 2's edit (and its stamp): pending against the archive nodes boot now
    expect(await changes()).toEqual(["M etc/motd", "M opt/xcat/xcatinfo"]);
    expect(await prisma.pendingChange.count({ where: { image: NAME, changeSet: null } })).toBe(1);
    expect((await prisma.auditLog.findFirst({ where: { action: "image.rollback" }, orderBy: { id: "desc" } }))?.detail).toContain(
      "restored",
    );

    await rollbackImage({ name: NAME, seq: 2, user });
    expect(await changes()).toEqual([]);
    expect(await prisma.pendingChange.count({ where: { image: NAME, changeSet: null } })).toBe(0);
  });

  it("a replace cut by a crash is restored at start-up, and the job log and the audit say so", async () => {
    const job = await prisma.job.create({
      data: { type: "image.unpack", ownerId: user.id, ownerName: user.username, image: NAME, state: "running", unit: "bytes" },
    });
    const crash = replaceTree({
      rootimgdir,
      id: job.id,
      stage: async (dest) =>
        void (await (await import("@/lib/archive")).unpackArchive({ archive: path.join(rootimgdir, "rootimg.cpio.gz"), dest })),
      beforeStep: (s) => {
        if (s === "swap.state") throw new Error("killed");
      },
    });
    await expect(crash).rejects.toThrow("killed");
    expect(fs.existsSync(path.join(rootimgdir, `.rootimg.replaced-${job.id}`))).toBe(true);

    expect(await interruptStaleJobs()).toBe(1);
    const lines: string[] = [];
    await prepareImagesAtStart((l) => lines.push(l));
    expect(lines.join("\n")).toContain(
      `replace by job ${job.id}: the server stopped before the new tree was in place: the previous tree was restored at ${tree}`,
    );
    expect(fs.readFileSync(path.join(tree, "etc/motd"), "utf8")).toBe("second edit\n");
    expect(await changes()).toEqual([]);
    expect(fs.readdirSync(rootimgdir).filter((f) => f.startsWith(".rootimg."))).toEqual([]);
    const log = await prisma.jobLog.findMany({ where: { jobId: job.id }, orderBy: { seq: "asc" } });
    expect(log.map((l) => l.line)).toEqual([
      "interrupted: The server stopped while this job was running; start it again.",
      expect.stringMatching(/^after restart: .*previous tree was restored/),
    ]);
    const audit = await prisma.auditLog.findFirst({ where: { action: "image.unpack.recover" } });
    expect(audit).toMatchObject({ image: NAME, username: "editor1", outcome: "ok" });
  });
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
