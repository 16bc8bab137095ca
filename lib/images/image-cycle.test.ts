/**
 * The whole cycle on the local backend, for real (SQLite, files, the product's pack, xCAT's lock file):
 * demo image → unpack job → edit → pack job → new version → rollback; plus the refusals.
 */
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTempDatabase } from "@/lib/xcat/test-db";

const dir = createTempDatabase("image-cycle-");
process.env.ROOTIMG_XCAT_LOCK_DIR = path.join(dir, "lock");
const { prisma } = await import("@/lib/db/client");
const { activeJobs } = await import("@/lib/jobs/active-jobs");
const { prepareImagesAtStart } = await import("./prepare-images-at-start");
const { unpackImage } = await import("./unpack-image");
const { packImage } = await import("./pack-image");
const { rollbackImage } = await import("./rollback-image");
const { getImageDetail, listImageSummaries } = await import("./image-summary");
const { DEMO_IMAGE_NAME } = await import("@/lib/xcat/demo-files");
const { lockPathFor } = await import("@/lib/xcat/image-lock");
const { getBackend } = await import("@/lib/xcat/select-backend");

const user = { id: "u1", username: "editor1" };
const NAME = DEMO_IMAGE_NAME;
const imgDir = path.join(dir, "images", NAME);
const sha = (f: string) => execFileSync("sha256sum", [f], { encoding: "utf8" }).split(" ")[0];

async function finished(jobId: string) {
  await activeJobs.get(jobId)?.finished;
  return prisma.job.findUniqueOrThrow({ where: { id: jobId } });
}

describe("image cycle on the local backend", () => {
  it("creates the demo image once and lists it as packed", async () => {
    await prepareImagesAtStart(() => {});
    await prepareImagesAtStart(() => {});
    const [s] = await listImageSummaries();
    expect(s).toMatchObject({
      imagename: NAME,
      osvers: "debian12",
      osarch: "x86_64",
      profile: "compute",
      provmethod: "netboot",
      workspace: "packed",
      treeExists: false,
    });
    expect(s.archive?.name).toBe("rootimg.cpio.gz");
    expect((await getImageDetail(NAME)).versions.map((v) => v.seq)).toEqual([1]);
  });

  it("unpacks into rootimgdir/rootimg as a job with byte progress, keeping modes, owners, links, devices", async () => {
    const { jobId } = await unpackImage({ name: NAME, user, mode: "unpack" });
    const job = await finished(jobId!);
    expect(job.state).toBe("succeeded");
    expect(job.done).toBe(job.total);
    const tree = path.join(imgDir, "rootimg");
    expect(fs.statSync(path.join(tree, "usr/local/sbin/suid-helper")).mode & 0o7777).toBe(0o4755);
    expect(fs.statSync(path.join(tree, "home/hpcuser")).uid).toBe(1001);
    expect(fs.readlinkSync(path.join(tree, "etc/localtime"))).toBe("/usr/share/zoneinfo/UTC");
    expect(fs.statSync(path.join(tree, "usr/local/bin/hello")).ino).toBe(fs.statSync(path.join(tree, "usr/local/bin/hello-again")).ino);
    expect(fs.statSync(path.join(tree, "dev/console")).isCharacterDevice()).toBe(true);
    expect(fs.statSync(path.join(tree, "var/spool/demo.fifo")).isFIFO()).toBe(true);
    expect((await getImageDetail(NAME)).workspace).toBe("unpacked");
  });

  it("refuses to unpack over an existing tree unless told to adopt it or to replace it with confirmation", async () => {
    const err = await unpackImage({ name: NAME, user, mode: "unpack" }).catch((e) => e);
    expect(err.code).toBe("conflict");
    expect(err.details.treeExists).toBe(true);
    const noConfirm = await unpackImage({ name: NAME, user, mode: "replace" }).catch((e) => e);
    expect(noConfirm.code).toBe("bad_request");
    expect(fs.existsSync(path.join(imgDir, "rootimg/etc/motd"))).toBe(true);
    expect((await unpackImage({ name: NAME, user, mode: "use-existing" })).workspace).toBe(path.join(imgDir, "rootimg"));
  });

  it("packs an edit, publishes atomically as version 2 with a new stamp, and rolls back to version 1", async () => {
    const before = sha(path.join(imgDir, "rootimg.cpio.gz"));
    fs.writeFileSync(path.join(imgDir, "rootimg/etc/motd"), "edited by the cycle test\n");
    const { jobId } = await packImage({ name: NAME, user });
    const job = await finished(jobId);
    expect(job.error).toBeNull();
    const d = await getImageDetail(NAME);
    expect(d.versions.map((v) => [v.seq, v.live, v.packedBy])).toEqual([
      [2, true, "editor1"],
      [1, false, "system"],
    ]);
    const motd = execFileSync("bsdtar", ["-xOf", path.join(imgDir, "rootimg.cpio.gz"), "./etc/motd"], { encoding: "utf8" });
    expect(motd).toBe("edited by the cycle test\n");
    const info = execFileSync("bsdtar", ["-xOf", path.join(imgDir, "rootimg.cpio.gz"), "./opt/xcat/xcatinfo"], { encoding: "utf8" });
    expect(info).toContain(`IMAGEUUID='${d.versions[0].stampUuid}'`);
    await rollbackImage({ name: NAME, seq: 1, user });
    expect(sha(path.join(imgDir, "rootimg.cpio.gz"))).toBe(before);
    expect((await getImageDetail(NAME)).versions.find((v) => v.live)?.seq).toBe(1);
    const audit = await prisma.auditLog.findFirst({ where: { action: "image.rollback" } });
    expect(audit).toMatchObject({ image: NAME, username: "editor1", outcome: "ok", target: "version 1" });
  });

  it("keeps at most the retention's number of versions, removing the oldest kept archives", async () => {
    const { setRetention, listVersions } = await import("./versions");
    await setRetention({ retention: 2, user });
    for (let i = 0; i < 2; i++) {
      fs.writeFileSync(path.join(imgDir, "rootimg/etc/motd"), `retention ${i}\n`);
      expect((await finished((await packImage({ name: NAME, user })).jobId)).state).toBe("succeeded");
    }
    const versions = await listVersions(NAME);
    expect(versions.map((v) => v.seq)).toEqual([4, 3]);
    // The folder as it is, unfiltered: each kept version with its pristine manifest, and nothing else.
    expect(fs.readdirSync(path.join(imgDir, ".rootimg-studio/versions")).sort()).toEqual([
      "3-rootimg.cpio.gz",
      "4-rootimg.cpio.gz",
      "manifest-3.json",
      "manifest-4.json",
    ]);
    // A retention of 1 keeps exactly one archive on disk: the live one.
    await setRetention({ retention: 1, user });
    // (a content not packed before: an unchanged tree would publish nothing)
    fs.writeFileSync(path.join(imgDir, "rootimg/etc/motd"), "retention kept at 1\n");
    expect((await finished((await packImage({ name: NAME, user })).jobId)).state).toBe("succeeded");
    expect((await listVersions(NAME)).map((v) => [v.seq, v.live])).toEqual([[5, true]]);
    expect(fs.readdirSync(path.join(imgDir, ".rootimg-studio/versions")).sort()).toEqual(["5-rootimg.cpio.gz", "manifest-5.json"]);
    expect(fs.statSync(path.join(imgDir, ".rootimg-studio/versions/5-rootimg.cpio.gz")).ino).toBe(
      fs.statSync(path.join(imgDir, "rootimg.cpio.gz")).ino,
    );
    await setRetention({ retention: 5, user });
  });

  it("publishes nothing when nothing changed since the live version, unless full is asked for", async () => {
    const { listVersions } = await import("./versions");
    const archive = path.join(imgDir, "rootimg.cpio.gz");
    const before = sha(archive);
    const job = await finished((await packImage({ name: NAME, user })).jobId);
    expect(job.state).toBe("succeeded");
    expect(JSON.parse(job.result!)).toMatchObject({
      unchanged: true,
      version: 5,
      message: expect.stringMatching(/^nothing changed since version 5: nothing was published/),
    });
    expect(sha(archive)).toBe(before);
    expect((await listVersions(NAME)).map((v) => v.seq)).toEqual([5]);

    const full = await finished((await packImage({ name: NAME, user, full: true })).jobId);
    expect(JSON.parse(full.result!)).toMatchObject({ version: 6 });
    expect((await listVersions(NAME)).map((v) => v.seq)).toEqual([6, 5]);
  });

  it("refuses to pack while xCAT's lock on the tree is held by another process (genimage/packimage)", async () => {
    const lockFile = lockPathFor(path.join(imgDir, "rootimg"));
    const holder = spawn("flock", ["-n", lockFile, "sleep", "30"], { stdio: "ignore", detached: true });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const { jobId } = await packImage({ name: NAME, user });
      const job = await finished(jobId);
      expect(job.state).toBe("failed");
      expect(job.error).toMatch(/^failed to acquire lock, seems there is another genimage\/packimage\/rmimage process/);
      expect((await listImageSummaries())[0].lock).not.toBeNull();
    } finally {
      process.kill(-holder.pid!); // the group: flock and the sleep that inherited the locked fd
    }
  });

  it("refuses a second pack while one runs (409)", async () => {
    const { jobId } = await packImage({ name: NAME, user, full: true });
    const err = await packImage({ name: NAME, user }).catch((e) => e);
    expect(err.code).toBe("conflict");
    await finished(jobId);
  });

  it("a cancelled replace-unpack restores the existing tree instead of losing it", async () => {
    const marker = path.join(imgDir, "rootimg/etc/marker");
    fs.writeFileSync(marker, "keep me\n");
    const { jobId } = await unpackImage({ name: NAME, user, mode: "replace", confirmReplace: true });
    activeJobs.get(jobId!)!.controller.abort(new Error("cancelled by test"));
    const job = await finished(jobId!);
    expect(job.state).toBe("cancelled");
    expect(fs.readFileSync(marker, "utf8")).toBe("keep me\n");
    expect(fs.readdirSync(imgDir).filter((f) => f.startsWith(".rootimg."))).toEqual([]);
  });

  it("replace-unpack with confirmation replaces the tree with the archive's", async () => {
    const { jobId } = await unpackImage({ name: NAME, user, mode: "replace", confirmReplace: true });
    const job = await finished(jobId!);
    expect(job.error).toBeNull();
    expect(job.state).toBe("succeeded");
    expect(fs.existsSync(path.join(imgDir, "rootimg/etc/marker"))).toBe(false);
    expect(fs.readdirSync(imgDir).filter((f) => f.startsWith(".rootimg."))).toEqual([]);
  });

  it("fails clearly when rootimgdir is missing or not writable", async () => {
    const backend = getBackend() as import("@/lib/xcat/local-backend").LocalBackend;
    await backend.registerImage({
      imagename: "nodir",
      osvers: "x",
      osarch: "x86_64",
      profile: "p",
      rootimgdir: path.join(dir, "does-not-exist"),
    });
    const e1 = await packImage({ name: "nodir", user }).catch((e) => e);
    expect(e1.message).toMatch(/does not exist: unpack the image first/);
    const e2 = await unpackImage({ name: "nodir", user, mode: "unpack" }).catch((e) => e);
    expect(e2.message).toMatch(/no packed archive/);
  });
});

describe("cancel during unpack", () => {
  it("stops the job, leaves no tree and no temp directory, keeps the archive", async () => {
    const rootimgdir = path.join(dir, "big");
    fs.mkdirSync(path.join(rootimgdir, "rootimg"), { recursive: true });
    execFileSync("dd", ["if=/dev/urandom", `of=${path.join(rootimgdir, "rootimg/big.bin")}`, "bs=1M", "count=200", "status=none"]);
    const backend = getBackend() as import("@/lib/xcat/local-backend").LocalBackend;
    await backend.registerImage({ imagename: "big", osvers: "x", osarch: "x86_64", profile: "p", rootimgdir });
    expect((await finished((await packImage({ name: "big", user })).jobId)).state).toBe("succeeded");
    fs.rmSync(path.join(rootimgdir, "rootimg"), { recursive: true });
    const archiveSha = sha(path.join(rootimgdir, "rootimg.cpio.gz"));
    const { jobId } = await unpackImage({ name: "big", user, mode: "unpack" });
    for (let i = 0; i < 400 && !fs.readdirSync(rootimgdir).some((f) => f.startsWith(".rootimg.unpack-")); i++)
      await new Promise((r) => setTimeout(r, 25));
    activeJobs.get(jobId!)!.controller.abort(new Error("cancelled by test"));
    const job = await finished(jobId!);
    expect(job.state).toBe("cancelled");
    expect(fs.existsSync(path.join(rootimgdir, "rootimg"))).toBe(false);
    expect(fs.readdirSync(rootimgdir).filter((f) => f.startsWith(".rootimg."))).toEqual([]);
    expect(sha(path.join(rootimgdir, "rootimg.cpio.gz"))).toBe(archiveSha);
    expect((await listImageSummaries()).find((i) => i.imagename === "big")?.workspace).toBe("packed");
    fs.rmSync(rootimgdir, { recursive: true, force: true });
  });
});

describe("disk full during pack", () => {
  const mnt = path.join(dir, "small");
  afterAll(() => {
    try {
      execFileSync("umount", [mnt]);
    } catch {}
  });

  it("reports no space, leaves the published archive untouched and removes the temp file", async () => {
    fs.mkdirSync(mnt);
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt]);
    const rootimgdir = path.join(mnt, "img");
    fs.mkdirSync(path.join(rootimgdir, "rootimg/etc"), { recursive: true });
    fs.writeFileSync(path.join(rootimgdir, "rootimg/etc/motd"), "small\n");
    const backend = getBackend() as import("@/lib/xcat/local-backend").LocalBackend;
    await backend.registerImage({ imagename: "tiny", osvers: "x", osarch: "x86_64", profile: "p", rootimgdir });
    const first = await finished((await packImage({ name: "tiny", user })).jobId);
    expect(first.state).toBe("succeeded");
    const published = sha(path.join(rootimgdir, "rootimg.cpio.gz"));
    // 3 MiB of incompressible data cannot fit twice (tree + archive) in 4 MiB.
    execFileSync("dd", ["if=/dev/urandom", `of=${path.join(rootimgdir, "rootimg/big")}`, "bs=1M", "count=3", "status=none"]);
    const job = await finished((await packImage({ name: "tiny", user })).jobId);
    expect(job.state).toBe("failed");
    expect(job.error).toMatch(/No space left on device while packing; the published rootimg.cpio.gz is untouched/);
    expect(sha(path.join(rootimgdir, "rootimg.cpio.gz"))).toBe(published);
    expect(fs.readdirSync(rootimgdir).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });
});

// The temp data dir (database, images) of this file.
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
