/**
 * The races the image gate prevents, each for real: the demo image on the local backend, SQLite, the real
 * pack/unpack/rollback/delete and the real save and upload paths (runFileChange + saveImageFile/uploadFile),
 * and xCAT's lock file held by another process through util-linux flock.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { PassThrough, type Readable } from "node:stream";
import { afterAll, describe, expect, it, vi } from "vitest";
import { createTempDatabase } from "@/lib/xcat/test-db";

const dir = createTempDatabase("image-gate-");
process.env.ROOTIMG_XCAT_LOCK_DIR = path.join(dir, "lock");
const { prisma } = await import("@/lib/db/client");
const { activeJobs } = await import("@/lib/jobs/active-jobs");
const { prepareImagesAtStart } = await import("./prepare-images-at-start");
const { unpackImage } = await import("./unpack-image");
const { packImage } = await import("./pack-image");
const { rollbackImage } = await import("./rollback-image");
const { deleteImage } = await import("./delete-image");
const { exportImage } = await import("./import-export-image");
const { describeWriters, gateStatus, reserveExclusive } = await import("./image-gate");
const { DEMO_IMAGE_NAME } = await import("@/lib/xcat/demo-files");
const { lockPathFor } = await import("@/lib/xcat/image-lock");
const { runFileChange } = await import("@/lib/files/record-file-change");
const { uploadFile } = await import("@/lib/image/upload-file");
const { saveImageFile } = await import("@/lib/image/save-image-file");
const { readImageFile } = await import("@/lib/image/read-image-file");

const alice = { id: "u1", username: "alice", role: "editor" as const };
const bob = { id: "u2", username: "bob", role: "editor" as const };
const NAME = DEMO_IMAGE_NAME;
const imgDir = path.join(dir, "images", NAME);
const tree = path.join(imgDir, "rootimg");

afterAll(async () => {
  await prisma.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function finished(jobId: string) {
  await activeJobs.get(jobId)?.finished;
  return prisma.job.findUniqueOrThrow({ where: { id: jobId } });
}

function upload(name: string, body: PassThrough | Readable, user = bob) {
  return runFileChange(
    { user, image: NAME, tree, kind: "upload", action: "file.upload", target: `/tmp/${name}`, streaming: true },
    () => uploadFile({ root: tree, dir: "/tmp", name, body, onConflict: "replace" }),
    (x) => ({ paths: [x.entry.path] }),
  );
}

function save(content: string, user = bob, file = "/etc/motd") {
  const f = readImageFile(tree, file);
  return runFileChange(
    { user, image: NAME, tree, kind: "content", action: "file.save", target: file },
    () => saveImageFile({ root: tree, path: file, content, encoding: "utf-8", etag: f.etag }),
    (r) => ({ paths: [r.entry.path], detail: { etag: r.etag } }),
  );
}

/** Size of `entry` in the published archive, as GNU cpio lists it. */
function archivedSize(entry: string): number | undefined {
  const raw = execFileSync("gzip", ["-dc", path.join(imgDir, "rootimg.cpio.gz")], { maxBuffer: 1 << 30 });
  const line = execFileSync("cpio", ["-itv", "--quiet"], { input: raw, encoding: "utf8" })
    .split("\n")
    .find((l) => l.endsWith(` ${entry}`));
  return line ? Number(line.split(/\s+/)[4]) : undefined;
}

/** Content of `entry` in the published archive, as GNU cpio extracts it. */
function archivedContent(entry: string): string {
  const raw = execFileSync("gzip", ["-dc", path.join(imgDir, "rootimg.cpio.gz")], { maxBuffer: 1 << 30 });
  return execFileSync("cpio", ["-i", "--to-stdout", "--quiet", entry], { input: raw, encoding: "utf8" });
}

/** A job's status text once it says it waits (the job runner writes it at most every second). */
async function waitingMessage(jobId: string): Promise<string> {
  return vi.waitFor(
    async () => {
      const m = (await prisma.job.findUniqueOrThrow({ where: { id: jobId } })).message;
      if (!m?.startsWith("waiting")) throw new Error("not waiting yet");
      return m;
    },
    { timeout: 10_000, interval: 50 },
  );
}

/** Another process (as a hand-run packimage would) holding xCAT's lock on the tree until killed. */
async function holdXcatLockElsewhere(): Promise<ChildProcess> {
  const lockFile = lockPathFor(tree);
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  const holder = spawn("flock", ["-n", lockFile, "sh", "-c", `printf %s $$ > '${lockFile}'; exec sleep 60`], {
    stdio: "ignore",
    detached: true,
  });
  await vi.waitFor(
    () => {
      const procLocks = fs.readFileSync("/proc/locks", "utf8");
      const st = fs.statSync(lockFile);
      if (!procLocks.includes(`:${st.ino} `)) throw new Error("not locked yet");
    },
    { timeout: 10_000, interval: 20 },
  );
  return holder;
}

function stop(p: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    p.once("exit", () => resolve());
    process.kill(-p.pid!, "SIGKILL"); // the group: flock and the sleep that inherited the locked fd
  });
}

/** Runs until the gate shows an exclusive holder of `kind`, one event-loop turn at a time. */
async function untilHeldBy(kind: string) {
  for (let i = 0; i < 100_000 && gateStatus(NAME).exclusive?.kind !== kind; i++) await new Promise((r) => setImmediate(r));
  expect(gateStatus(NAME).exclusive?.kind).toBe(kind);
}

describe("the image gate: races it prevents", () => {
  it("unpacks the demo image", async () => {
    await prepareImagesAtStart(() => {});
    const { jobId } = await unpackImage({ name: NAME, user: alice, mode: "unpack" });
    expect((await finished(jobId!)).state).toBe("succeeded");
    expect(gateStatus(NAME)).toEqual({ image: NAME, exclusive: null, shared: [] });
  });

  it("an upload still streaming when Pack is clicked: the pack waits for it, new saves are told why, the archive holds the whole file", async () => {
    const body = new PassThrough();
    const uploading = upload("big.bin", body);
    body.write(Buffer.alloc(64 * 1024, 1)); // the first part has arrived; the rest is still on the way
    await vi.waitFor(() => expect(describeWriters(NAME)).toBe("1 upload"));
    const { jobId } = await packImage({ name: NAME, user: alice });
    expect(await waitingMessage(jobId)).toBe("waiting for 1 upload to finish");
    expect(gateStatus(NAME).exclusive).toMatchObject({ kind: "pack", user: "alice", jobId, state: "waiting" });

    // A save arriving now is refused, naming the waiting pack, so a stream of saves cannot starve it.
    const refused = await save("saved while the pack waits\n").catch((e) => e);
    expect(refused.status).toBe(409);
    expect(refused.details).toMatchObject({ reason: "image-busy", waiting: true, holder: { kind: "pack", user: "alice", jobId } });
    expect(refused.message).toContain("is waiting for the writes in progress to finish");

    body.end(Buffer.alloc(64 * 1024, 2));
    expect((await uploading).bytes).toBe(128 * 1024);
    const job = await finished(jobId);
    expect(job.state).toBe("succeeded");
    expect(archivedSize("tmp/big.bin")).toBe(128 * 1024);
    expect(await prisma.pendingChange.count({ where: { image: NAME, path: "/tmp/big.bin", changeSet: { not: null } } })).toBe(1);
    expect(gateStatus(NAME).exclusive).toBeNull();
  });

  it("two packs at once: the second is refused (409 naming the first), no second job is created", async () => {
    const { jobId } = await packImage({ name: NAME, user: alice, full: true });
    const jobsBefore = await prisma.job.count();
    const err = await packImage({ name: NAME, user: bob }).catch((e) => e);
    expect(err.status).toBe(409);
    expect(err.details).toMatchObject({ reason: "image-busy", waiting: false, holder: { kind: "pack", user: "alice", jobId } });
    expect(err.message).toMatch(/is packing \(pack \(job \w+\) started by alice \d+ s ago\)/);
    expect(await prisma.job.count()).toBe(jobsBefore);
    // The persisted record names the holder while it holds (a restart would report it).
    await vi.waitFor(async () =>
      expect(await prisma.imageHold.findUnique({ where: { image: NAME } })).toMatchObject({ kind: "pack", username: "alice", jobId }),
    );
    expect((await finished(jobId)).state).toBe("succeeded");
    expect(await prisma.imageHold.count()).toBe(0);
  });

  it("a save landing during a rollback is refused and changes nothing", async () => {
    const before = fs.readFileSync(path.join(tree, "etc/motd"), "utf8");
    const rolling = rollbackImage({ name: NAME, seq: 1, user: alice });
    await untilHeldBy("rollback");
    const err = await save("saved during the rollback\n").catch((e) => e);
    expect(err.status).toBe(409);
    expect(err.details).toMatchObject({ reason: "image-busy", holder: { kind: "rollback", user: "alice" } });
    expect(err.message).toContain("is rolling back");
    await rolling;
    expect(fs.readFileSync(path.join(tree, "etc/motd"), "utf8")).toBe(before);
    expect(await prisma.pendingChange.count({ where: { image: NAME, detail: { contains: "during the rollback" } } })).toBe(0);
  });

  it("a waiting pack is not starved by a stream of saves: savers already in finish, new ones are held back", async () => {
    // One save is in (its change is slow); the pack waits for it; every save after that is refused.
    let finishSlow!: () => void;
    const slowDone = new Promise<void>((r) => (finishSlow = r));
    const f = readImageFile(tree, "/etc/hostname");
    const slow = runFileChange(
      { user: bob, image: NAME, tree, kind: "content", action: "file.save", target: "/etc/hostname" },
      async () => {
        await slowDone;
        return saveImageFile({ root: tree, path: "/etc/hostname", content: "slow\n", encoding: "utf-8", etag: f.etag });
      },
      (r) => ({ paths: [r.entry.path] }),
    );
    await vi.waitFor(() => expect(describeWriters(NAME)).toBe("1 save"));
    const { jobId } = await packImage({ name: NAME, user: alice });
    let refusals = 0;
    for (let i = 0; i < 20; i++) {
      const e = await save(`save ${i}\n`, i % 2 ? bob : alice).catch((x) => x);
      if (e?.details?.reason === "image-busy" && e.details.waiting) refusals++;
    }
    expect(refusals).toBe(20);
    finishSlow();
    await slow;
    expect((await finished(jobId)).state).toBe("succeeded");
    expect(fs.readFileSync(path.join(tree, "etc/hostname"), "utf8")).toBe("slow\n");
    await save("after the pack\n");
  });

  it("eight editors saving in a tight loop: a pack still gets its turn, each refused saver is told why, and the archive holds each editor's last acknowledged save", async () => {
    const EDITORS = 8;
    const files = Array.from({ length: EDITORS }, (_, i) => `/etc/editor-${i}.conf`);
    for (const f of files) fs.writeFileSync(path.join(tree, f), "before the stream\n");
    const acked: string[][] = files.map(() => []);
    const refused: { reason?: string; waiting?: boolean; holder?: string; message: string }[] = [];
    const failed: unknown[] = [];
    let packSeen = false;
    let stopped = 0;
    const loops = files.map(async (file, i) => {
      for (let n = 0; ; n++) {
        // An HTTP client's loop yields to the event loop between requests; so does this one.
        await new Promise((r) => setImmediate(r));
        // Checked in the same synchronous step as the save enters the gate: nothing enters after the pack's release.
        const x = gateStatus(NAME).exclusive;
        if (x?.kind === "pack") packSeen = true;
        else if (packSeen) break;
        const content = `editor ${i} save ${n}\n`;
        try {
          await save(content, i % 2 ? bob : alice, file);
          acked[i].push(content);
        } catch (e) {
          const err = e as {
            status?: number;
            message: string;
            details?: { reason?: string; waiting?: boolean; holder?: { kind: string } };
          };
          if (err.status === 409) refused.push({ ...err.details, holder: err.details?.holder?.kind, message: err.message });
          else failed.push(e);
        }
      }
      stopped++;
    });
    await vi.waitFor(() => expect(acked.every((a) => a.length > 0)).toBe(true), { timeout: 30_000 });
    const { jobId } = await packImage({ name: NAME, user: alice });
    expect((await finished(jobId)).state).toBe("succeeded");
    await Promise.all(loops);
    expect(stopped).toBe(EDITORS);
    expect(failed).toEqual([]);
    // Held back while the pack waited or ran, each with the reason; never anything but the pack's turn.
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r).toMatchObject({ reason: "image-busy", holder: "pack" });
      expect(r.message).toContain(r.waiting ? "is waiting for the writes in progress to finish" : "is packing");
    }
    // The savers already in when the pack came finished first: the archive has each editor's last acknowledged save.
    for (const [i, f] of files.entries()) expect(archivedContent(f.slice(1))).toBe(acked[i].at(-1));
    // and the editors save again once the pack is done
    for (const [i, f] of files.entries()) await save(`editor ${i} after the pack\n`, bob, f);
  });

  it("a saver that does not finish in time makes the waiting pack give up (409 naming it) and lets writers in again", async () => {
    process.env.ROOTIMG_GATE_DRAIN_MS = "300";
    try {
      const body = new PassThrough();
      const uploading = upload("stuck.bin", body);
      body.write(Buffer.alloc(1024, 1));
      await vi.waitFor(() => expect(describeWriters(NAME)).toBe("1 upload"));
      const { jobId } = await packImage({ name: NAME, user: alice });
      const job = await finished(jobId);
      expect(job.state).toBe("failed");
      expect(job.error).toMatch(/^1 upload to image .* is still in progress after waiting 0 s; the pack was not started/);
      expect(gateStatus(NAME).exclusive).toBeNull();
      await save("accepted again\n");
      body.end();
      await uploading;
    } finally {
      delete process.env.ROOTIMG_GATE_DRAIN_MS;
    }
  });

  it("a delete while a job or an upload runs is refused and the image stays", async () => {
    const body = new PassThrough();
    const uploading = upload("during-delete.bin", body);
    body.write(Buffer.alloc(1024, 1));
    await vi.waitFor(() => expect(describeWriters(NAME)).toBe("1 upload"));
    const e1 = await deleteImage({ name: NAME, user: alice }).catch((e) => e);
    expect(e1.status).toBe(409);
    expect(e1.details).toMatchObject({ reason: "writes-in-progress", summary: "1 upload", writers: [{ kind: "upload", user: "bob" }] });
    body.end();
    await uploading;

    const { jobId } = await packImage({ name: NAME, user: alice, full: true });
    const e2 = await deleteImage({ name: NAME, user: alice }).catch((e) => e);
    expect(e2.status).toBe(409);
    expect(e2.details).toMatchObject({ reason: "image-busy", holder: { kind: "pack", jobId } });
    await finished(jobId);
    expect(fs.existsSync(tree)).toBe(true);
  });

  it("a pack while xCAT's lock is held by another process fails without reading the archive; saves are refused too", async () => {
    const versions = await prisma.imageVersion.findMany({ where: { image: NAME } });
    const motd = fs.readFileSync(path.join(tree, "etc/motd"), "utf8");
    const holder = await holdXcatLockElsewhere();
    try {
      const { jobId } = await packImage({ name: NAME, user: alice });
      const job = await finished(jobId);
      expect(job.state).toBe("failed");
      expect(job.error).toMatch(
        /^failed to acquire lock, seems there is another genimage\/packimage\/rmimage process \d+ running on root image dir ".*"; the pack of image .* did not start/,
      );
      // Nothing was recorded from an archive packimage may be writing.
      expect(await prisma.imageVersion.findMany({ where: { image: NAME } })).toEqual(versions);

      // An export would read the archive packimage is writing: refused as well.
      const exp = await finished(await exportImage({ user: alice, name: NAME }));
      expect(exp).toMatchObject({ state: "failed" });
      expect(exp.error).toContain(`the export of image ${NAME} did not start`);

      const err = await save("saved while packimage runs\n").catch((e) => e);
      expect(err.status).toBe(409);
      // the PID the other process wrote into the lock file, as xCAT reports it
      expect(err.details).toMatchObject({ reason: "xcat-locked", pid: fs.readFileSync(lockPathFor(tree), "utf8") });
      expect(fs.readFileSync(path.join(tree, "etc/motd"), "utf8")).toBe(motd);
    } finally {
      await stop(holder);
    }
    await save("saved after packimage\n");
  });

  it("a writer in holds xCAT's lock shared, so a hand-run packimage (exclusive flock) fails instead of archiving half a write", async () => {
    const body = new PassThrough();
    const uploading = upload("while-packimage.bin", body);
    body.write(Buffer.alloc(1024, 1));
    await vi.waitFor(() => expect(describeWriters(NAME)).toBe("1 upload"));
    const lockFile = lockPathFor(tree);
    await vi.waitFor(async () => {
      const code = await new Promise<number | null>((r) => spawn("flock", ["-n", "-x", lockFile, "true"]).on("exit", r));
      expect(code).toBe(1);
    });
    body.end();
    await uploading;
  });

  it("a restart with an exclusive holder recorded says what was interrupted and frees the image", async () => {
    const since = new Date(Date.now() - 60_000);
    await prisma.imageHold.create({
      data: { image: NAME, kind: "rollback", userId: alice.id, username: "alice", jobId: null, since, pid: 999_999 },
    });
    const lines: string[] = [];
    await prepareImagesAtStart((l) => lines.push(l));
    expect(lines).toContain(
      `images: ${NAME}: the rollback started by alice at ${since.toISOString()} was interrupted when the server stopped; the image is free again`,
    );
    expect(await prisma.imageHold.count()).toBe(0);
    expect(await prisma.auditLog.findFirst({ where: { action: "image.rollback", outcome: "interrupted" } })).toMatchObject({
      username: "alice",
      image: NAME,
    });
    const hold = reserveExclusive(NAME, { kind: "command", user: alice, tree });
    await hold.ready();
    await hold.release();
  });
});
