/**
 * Publish and record as one step, for real (SQLite, files, the product's pack, the start-up path): a pack is
 * stopped before each step of its publish and recording (the pack's rename, the version's hard link, its row,
 * the pristine manifest, the pending edits marked packed, the kept manifest), the job is found interrupted as
 * after a SIGKILL, and start-up must leave the published archive recorded as the live version with its pristine
 * state, saying so in the job log and the audit log. Also: archives published outside the product (renamed over,
 * or written in place like packimage), kept archives no version owns, a rollback cut before its row, and a
 * busy xCAT lock.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTempDatabase } from "@/lib/xcat/test-db";

const dir = createTempDatabase("reconcile-published-");
process.env.ROOTIMG_XCAT_LOCK_DIR = path.join(dir, "lock");
process.env.ROOTIMG_DEMO_IMAGE = "0";
const { prisma } = await import("@/lib/db/client");
const { activeJobs } = await import("@/lib/jobs/active-jobs");
const { interruptStaleJobs } = await import("@/lib/jobs/interrupt-stale-jobs");
const { diffTree, packTree, readManifest } = await import("@/lib/archive");
const { acquireImageLock } = await import("@/lib/xcat/image-lock");
const { getBackend } = await import("@/lib/xcat/select-backend");
const { unpackImage } = await import("./unpack-image");
const { packImage } = await import("./pack-image");
const { recordVersion, versionsDir } = await import("./versions");
const { recordTreeManifest } = await import("./record-tree-manifest");
const { keepVersionManifest, versionManifestPath } = await import("./version-manifests");
const { prepareImagesAtStart } = await import("./prepare-images-at-start");
const { reconcileAtStart } = await import("./reconcile-published");
const { listImageSummaries } = await import("./image-summary");

const user = { id: "u1", username: "packer1" };
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const sha = (f: string) => createHash("sha256").update(fs.readFileSync(f)).digest("hex");
async function finished(jobId: string) {
  await activeJobs.get(jobId)?.finished;
  return prisma.job.findUniqueOrThrow({ where: { id: jobId } });
}

/** An adopted tree packed once by the product: version 1, complete. */
async function packedImage(name: string) {
  const rootimgdir = path.join(dir, name);
  const tree = path.join(rootimgdir, "rootimg");
  const archive = path.join(rootimgdir, "rootimg.cpio.gz");
  fs.mkdirSync(path.join(tree, "etc"), { recursive: true });
  fs.writeFileSync(path.join(tree, "etc/motd"), "version one\n");
  await (getBackend() as import("@/lib/xcat/local-backend").LocalBackend).registerImage({
    imagename: name,
    osvers: "x",
    osarch: "x86_64",
    profile: name,
    rootimgdir,
  });
  await finished((await unpackImage({ name, user, mode: "use-existing" })).jobId!);
  expect((await finished((await packImage({ name, user })).jobId)).state).toBe("succeeded");
  return { name, rootimgdir, tree, archive };
}
type Img = Awaited<ReturnType<typeof packedImage>>;

const live = (name: string) => prisma.imageVersion.findFirstOrThrow({ where: { image: name, live: true } });
const changes = async (tree: string) => (await diffTree({ tree })).changes.map((c) => `${c.letter} ${c.path}`);
async function startUp(): Promise<string> {
  await interruptStaleJobs();
  const lines: string[] = [];
  await prepareImagesAtStart((l) => lines.push(l));
  return lines.join("\n");
}
/** Only what the version rows own (and lib/archive's own numbered copies) is left in versions/. */
async function expectNoOrphans(img: Img) {
  const rows = await prisma.imageVersion.findMany({ where: { image: img.name } });
  const owned = new Set(rows.flatMap((r) => [path.basename(r.file), `manifest-${r.seq}.json`]));
  const left = fs.readdirSync(versionsDir(img.rootimgdir));
  expect(left.filter((f) => !owned.has(f))).toEqual([]);
  expect(fs.readdirSync(img.rootimgdir).filter((f) => f.startsWith(".rootimg") && f !== ".rootimg-studio")).toEqual([]);
}

/** The publish of a pack in pack-image.ts's order, stopped before `step` (nothing after it runs, as in a crash). */
const STEPS = ["rename", "link", "row", "manifest", "mark", "keep", "end"] as const;
type Step = (typeof STEPS)[number];
async function packStoppedBefore(img: Img, step: Step): Promise<string> {
  fs.writeFileSync(path.join(img.tree, "etc/motd"), `edited before a pack stopped before ${step}\n`);
  await prisma.pendingChange.create({
    data: { image: img.name, path: "/etc/motd", kind: "content", userId: user.id, username: user.username },
  });
  const job = await prisma.job.create({
    data: {
      type: "image.pack",
      ownerId: user.id,
      ownerName: user.username,
      image: img.name,
      state: "running",
      unit: "bytes",
      startedAt: new Date(),
      params: JSON.stringify({ method: "own", archive: img.archive, full: false }),
    },
  });
  if (step === "rename") {
    fs.writeFileSync(path.join(img.rootimgdir, `.rootimg.cpio.gz.tmp-${process.pid}-0a1b2c3d`), "half of an archive");
    return job.id;
  }
  await packTree({ tree: img.tree, archive: img.archive, stamp: img.name });
  if (step === "link") return job.id;
  const seq = ((await prisma.imageVersion.findFirst({ where: { image: img.name }, orderBy: { seq: "desc" } }))?.seq ?? 0) + 1;
  if (step === "row") {
    // recordVersion's first step, its hard link, without the row
    fs.linkSync(img.archive, path.join(versionsDir(img.rootimgdir), `${seq}-rootimg.cpio.gz`));
    return job.id;
  }
  await recordVersion({ image: img.name, archive: img.archive, packedBy: user.username, jobId: job.id });
  if (step === "manifest") return job.id;
  await recordTreeManifest({ tree: img.tree, source: img.archive, previous: await readManifest(img.tree) });
  if (step === "mark") return job.id;
  await prisma.pendingChange.updateMany({ where: { image: img.name, changeSet: null }, data: { changeSet: `pack:${seq}` } });
  if (step === "keep") return job.id;
  keepVersionManifest({ rootimgdir: img.rootimgdir, seq, tree: img.tree });
  return job.id;
}

describe("a pack stopped at each step of its publish, then start-up", () => {
  it("before the rename: the old archive stays live, the edit stays pending, the temp file is removed", async () => {
    const img = await packedImage("stop-before-rename");
    const before = await live(img.name);
    await packStoppedBefore(img, "rename");
    const log = await startUp();
    expect(log).not.toContain("recorded now");
    expect((await live(img.name)).id).toBe(before.id);
    expect(await changes(img.tree)).toEqual(["M etc/motd"]);
    expect(await prisma.pendingChange.count({ where: { image: img.name, changeSet: null } })).toBe(1);
    expect(await prisma.auditLog.count({ where: { image: img.name, action: "image.pack.recover" } })).toBe(0);
    await expectNoOrphans(img);
  });

  for (const step of ["link", "row", "manifest", "mark", "keep"] as const)
    it(`before the ${step === "link" ? "version's hard link" : step === "row" ? "version's row" : step === "manifest" ? "pristine manifest" : step === "mark" ? "edits are marked packed" : "kept manifest"}: the publish is recorded as the pack's version with its pristine state, and the job log and audit say so`, async () => {
      const img = await packedImage(`stop-before-${step}`);
      const jobId = await packStoppedBefore(img, step);
      const log = await startUp();
      const v = await live(img.name);
      expect(v).toMatchObject({ seq: 2, jobId, packedBy: user.username, size: fs.statSync(img.archive).size, sha256: sha(img.archive) });
      expect(fs.statSync(v.file).ino).toBe(fs.statSync(img.archive).ino);
      expect(fs.existsSync(versionManifestPath(img.rootimgdir, 2))).toBe(true);
      expect(await changes(img.tree)).toEqual([]);
      expect(await prisma.pendingChange.count({ where: { image: img.name, changeSet: null } })).toBe(0);
      expect(log).toContain(`pack job ${jobId}: version 2 was published by this pack before the server stopped; it is recorded now`);
      if (step === "row") expect(log).toContain("2-rootimg.cpio.gz in");
      const lines = (await prisma.jobLog.findMany({ where: { jobId }, orderBy: { seq: "asc" } })).map((l) => l.line);
      expect(lines[0]).toMatch(/^interrupted: /);
      expect(lines[1]).toMatch(
        /^after restart: version 2 was published by this pack before the server stopped; it is recorded now \(recovered at start-up\)$/,
      );
      expect(await prisma.auditLog.findFirst({ where: { image: img.name, action: "image.pack.recover" } })).toMatchObject({
        username: user.username,
        outcome: "ok",
      });
      await expectNoOrphans(img);
      // a second start finds nothing to do
      expect(await startUp()).not.toContain(`${img.name}: pack job`);
    });

  it("after the kept manifest (the job ended before it could say so): nothing to recover", async () => {
    const img = await packedImage("stop-before-end");
    await packStoppedBefore(img, "end");
    const log = await startUp();
    expect(log).not.toContain(`${img.name}: pack job`);
    expect(await live(img.name)).toMatchObject({ seq: 2 });
    expect(
      await prisma.auditLog.count({
        where: { image: img.name, action: { in: ["image.pack.recover", "image.version.found", "image.version.orphan"] } },
      }),
    ).toBe(0);
    await expectNoOrphans(img);
  });
});

describe("archives changed underneath, and kept archives no version owns", () => {
  it("a packimage outside the product (new file renamed over): a listing notices it and records a version found on disk", async () => {
    const img = await packedImage("outside-rename");
    fs.writeFileSync(path.join(img.tree, "etc/motd"), "packed by packimage\n");
    const other = path.join(img.rootimgdir, "by-packimage.cpio.gz");
    await packTree({ tree: img.tree, archive: other });
    fs.renameSync(other, img.archive);
    await listImageSummaries();
    await expect.poll(() => prisma.job.count({ where: { image: img.name, type: "image.reconcile" } })).toBe(1);
    const job = await prisma.job.findFirstOrThrow({ where: { image: img.name, type: "image.reconcile" } });
    expect((await finished(job.id)).state).toBe("succeeded");
    expect(await live(img.name)).toMatchObject({
      seq: 2,
      packedBy: "unknown",
      sha256: sha(img.archive),
      note: expect.stringContaining("found on disk"),
    });
    expect(await prisma.auditLog.findFirst({ where: { image: img.name, action: "image.version.found" } })).toMatchObject({
      username: "system",
    });
    expect((await prisma.jobLog.findMany({ where: { jobId: job.id } })).map((l) => l.line).join("\n")).toContain(
      "recorded it as version 2, found on disk",
    );
    // version 1 still holds its own bytes, for a rollback
    expect((await prisma.imageVersion.findFirstOrThrow({ where: { image: img.name, seq: 1 } })).sha256).toBe(
      sha((await prisma.imageVersion.findFirstOrThrow({ where: { image: img.name, seq: 1 } })).file),
    );
    // recorded: the next listing starts nothing
    await listImageSummaries();
    expect(await prisma.job.count({ where: { image: img.name, type: "image.reconcile" } })).toBe(1);
  });

  it("an archive rewritten in place (its inode kept): recorded as found on disk, and the version whose bytes it overwrote says so", async () => {
    const img = await packedImage("outside-in-place");
    const other = path.join(dir, "in-place.cpio.gz");
    fs.writeFileSync(path.join(img.tree, "etc/motd"), "written in place\n");
    await packTree({ tree: img.tree, archive: other });
    const ino = fs.statSync(img.archive).ino;
    fs.writeFileSync(img.archive, fs.readFileSync(other));
    expect(fs.statSync(img.archive).ino).toBe(ino);
    const events = await reconcileAtStart({ image: img.name, rootimgdir: img.rootimgdir, log: () => {} });
    expect(events.map((e) => e.kind)).toEqual(["found-on-disk"]);
    expect(await live(img.name)).toMatchObject({ seq: 2, sha256: sha(img.archive) });
    expect(await prisma.imageVersion.findFirstOrThrow({ where: { image: img.name, seq: 1 } })).toMatchObject({
      sha256: null,
      note: expect.stringContaining("overwritten in place"),
    });
    // recorded: a second look needs no read
    expect(await reconcileAtStart({ image: img.name, rootimgdir: img.rootimgdir, log: () => {} })).toEqual([]);
  });

  it("an archive only touched (same inode and bytes, a later mtime) is hashed once, and then left alone", async () => {
    const img = await packedImage("touched");
    const later = new Date(Date.now() + 3_600_000);
    fs.utimesSync(img.archive, later, later);
    const { publishedDiffersFromLive } = await import("./reconcile-published");
    expect(await publishedDiffersFromLive(img.name, img.rootimgdir)).toBe(true);
    expect(await reconcileAtStart({ image: img.name, rootimgdir: img.rootimgdir, log: () => {} })).toEqual([]);
    expect(await publishedDiffersFromLive(img.name, img.rootimgdir)).toBe(false);
    expect(await live(img.name)).toMatchObject({ seq: 1 });
    await expectNoOrphans(img);
  });

  it("kept archives and manifests no version owns that are not the published archive are removed, and the log says so (the published one is adopted: see the step before the row)", async () => {
    const img = await packedImage("orphans");
    const vdir = versionsDir(img.rootimgdir);
    fs.writeFileSync(path.join(vdir, "7-rootimg.cpio.gz"), "an archive retention meant to remove");
    fs.writeFileSync(path.join(vdir, "manifest-7.json"), "{}");
    const lines: string[] = [];
    const events = await reconcileAtStart({ image: img.name, rootimgdir: img.rootimgdir, log: (l) => lines.push(l) });
    expect(events.map((e) => e.kind).sort()).toEqual(["orphan-removed", "orphan-removed"]);
    expect(lines.join("\n")).toContain("7-rootimg.cpio.gz in");
    expect(lines.join("\n")).toContain("belonged to no version (a retention or a rollback was cut); removed");
    expect(await prisma.auditLog.count({ where: { image: img.name, action: "image.version.orphan" } })).toBe(1);
    await expectNoOrphans(img);
  });

  it("a rollback cut between its rename and its row: the version whose archive is published is live again", async () => {
    const img = await packedImage("rollback-cut");
    fs.writeFileSync(path.join(img.tree, "etc/motd"), "version two\n");
    expect((await finished((await packImage({ name: img.name, user })).jobId)).state).toBe("succeeded");
    const v1 = await prisma.imageVersion.findFirstOrThrow({ where: { image: img.name, seq: 1 } });
    const tmp = path.join(img.rootimgdir, `.rootimg.rollback-${process.pid}`);
    fs.linkSync(v1.file, tmp);
    fs.renameSync(tmp, img.archive);
    const events = await reconcileAtStart({ image: img.name, rootimgdir: img.rootimgdir, log: () => {} });
    expect(events.map((e) => e.kind)).toEqual(["rollback-recovered"]);
    expect(await live(img.name)).toMatchObject({ seq: 1 });
  });

  it("while xCAT's lock is held (a packimage writing the archive), the archive is not read: it is left for a later listing", async () => {
    const img = await packedImage("xcat-locked");
    fs.writeFileSync(img.archive, "a packimage half way through");
    const lock = await acquireImageLock({ rootimgDir: img.tree });
    try {
      const lines: string[] = [];
      expect(await reconcileAtStart({ image: img.name, rootimgdir: img.rootimgdir, log: (l) => lines.push(l) })).toEqual([]);
      expect(lines.join("\n")).toContain("published archive not checked against its versions (failed to acquire lock");
      expect(await live(img.name)).toMatchObject({ seq: 1 });
    } finally {
      lock.release();
    }
  });
});

describe("temp files a killed server left inside a tree and in its state directory", () => {
  it("are removed at start-up, which says so, and the next pack publishes without them", async () => {
    const img = await packedImage("temps-in-tree");
    const inTree = ["etc/.motd.rootimg-0123456789ab", "opt/xcat/xcatinfo.tmp-999999"];
    const state = ".rootimg-studio/rootimg/pristine/seed.pack.tmp-999999-k3j2x9";
    for (const f of inTree) {
      fs.mkdirSync(path.dirname(path.join(img.tree, f)), { recursive: true });
      fs.writeFileSync(path.join(img.tree, f), "partial");
    }
    fs.mkdirSync(path.dirname(path.join(img.rootimgdir, state)), { recursive: true });
    fs.writeFileSync(path.join(img.rootimgdir, state), "partial");
    const log = await startUp();
    const line = log
      .split("\n")
      .find((l) => l.startsWith("images: temps-in-tree: removed 2 temp file(s) of interrupted writes from inside the tree"));
    for (const f of inTree) expect(line).toContain(f);
    expect(log).toContain(`removed 1 temp file(s) left in ${img.rootimgdir}: ${state}`);
    for (const f of [...inTree.map((f) => path.join(img.tree, f)), path.join(img.rootimgdir, state)])
      expect(fs.existsSync(f), f).toBe(false);
    fs.writeFileSync(path.join(img.tree, "etc/motd"), "version two\n");
    expect((await finished((await packImage({ name: img.name, user })).jobId)).state).toBe("succeeded");
    const listing = execFileSync("cpio", ["-it", "--quiet"], {
      input: execFileSync("gzip", ["-dc", img.archive], { maxBuffer: 1 << 30 }),
      encoding: "utf8",
    });
    expect(listing).toContain("etc/motd");
    expect(listing).not.toContain("rootimg-0123456789ab");
    expect(listing).not.toContain("xcatinfo.tmp-");
  });
});
