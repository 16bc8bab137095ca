/**
 * The race between file changes and pack/unpack, for real: the demo image on the local backend, the real
 * packImage/unpackImage and the real upload and save paths (runFileChange + uploadFile/saveImageFile).
 */
import fs from "node:fs";
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "@/lib/xcat/test-db";

const dir = useTempDatabase("tree-writes-");
process.env.ROOTIMG_XCAT_LOCK_DIR = path.join(dir, "lock");
const { prisma } = await import("@/lib/db/client");
const { activeJobs } = await import("@/lib/jobs/active-jobs");
const { prepareImagesAtStart } = await import("@/lib/images/prepare-images-at-start");
const { unpackImage } = await import("@/lib/images/unpack-image");
const { packImage } = await import("@/lib/images/pack-image");
const { DEMO_IMAGE_NAME } = await import("@/lib/xcat/demo-files");
const { runFileChange } = await import("./record-file-change");
const { describeTreeWrites } = await import("./tree-writes");
const { uploadFile } = await import("@/lib/image/upload-file");
const { saveImageFile } = await import("@/lib/image/save-image-file");
const { readImageFile } = await import("@/lib/image/read-image-file");

const user = { id: "u1", username: "editor1", role: "editor" as const };
const NAME = DEMO_IMAGE_NAME;
const tree = path.join(dir, "images", NAME, "rootimg");

afterAll(async () => {
  await prisma.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function finished(jobId: string) {
  await activeJobs.get(jobId)?.finished;
  return prisma.job.findUniqueOrThrow({ where: { id: jobId } });
}

function upload(name: string, body: PassThrough | Readable) {
  return runFileChange(
    { user, image: NAME, kind: "upload", action: "file.upload", target: `/tmp/${name}`, streaming: true },
    () => uploadFile({ root: tree, dir: "/tmp", name, body, onConflict: "fail" }),
    (x) => ({ paths: [x.entry.path] }),
  );
}

function save(content: string) {
  const f = readImageFile(tree, "/etc/motd");
  return runFileChange(
    { user, image: NAME, kind: "content", action: "file.save", target: "/etc/motd" },
    () => saveImageFile({ root: tree, path: "/etc/motd", content, encoding: "utf-8", etag: f.etag }),
    (r) => ({ paths: [r.entry.path], detail: { etag: r.etag } }),
  );
}

describe("file changes vs pack and unpack of the same image", () => {
  it("unpacks the demo image", async () => {
    await prepareImagesAtStart(() => {});
    const { jobId } = await unpackImage({ name: NAME, user, mode: "unpack" });
    expect((await finished(jobId!)).state).toBe("succeeded");
  });

  it("a pack refuses to start while an upload is still streaming, and starts once it finished", async () => {
    const body = new PassThrough();
    const uploading = upload("big.bin", body);
    body.write(Buffer.alloc(64 * 1024, 1)); // the first part has arrived; the rest is still on the way
    expect(describeTreeWrites(NAME)).toBe("1 upload");
    const jobsBefore = await prisma.job.count();
    const err = await packImage({ name: NAME, user }).catch((e) => e);
    expect(err.status).toBe(409);
    expect(err.message).toContain("1 upload to image");
    expect(err.message).toContain("the pack was not started");
    expect(await prisma.job.count()).toBe(jobsBefore);
    const unpackErr = await unpackImage({ name: NAME, user, mode: "replace", confirmReplace: true }).catch((e) => e);
    expect(unpackErr.status).toBe(409);
    body.end(Buffer.alloc(64 * 1024, 2));
    expect((await uploading).bytes).toBe(128 * 1024);
    expect(describeTreeWrites(NAME)).toBe("");
    const { jobId } = await packImage({ name: NAME, user });
    expect((await finished(jobId)).state).toBe("succeeded");
    // the upload's pending change went into this pack's change set
    expect(await prisma.pendingChange.count({ where: { image: NAME, path: "/tmp/big.bin", changeSet: { not: null } } })).toBe(1);
  });

  it("uploads and saves are refused (409, nothing written) while a pack runs, and work after it", async () => {
    const before = fs.readFileSync(path.join(tree, "etc/motd"), "utf8");
    const { jobId } = await packImage({ name: NAME, user, full: true });
    const up = await upload("during-pack.txt", Readable.from([Buffer.from("x\n")])).catch((e) => e);
    expect(up.status).toBe(409);
    expect(up.message).toMatch(/being packed or unpacked.*Wait for the job to finish/);
    expect(up.details.reason).toBe("image-busy");
    const sv = await save("edited during the pack\n").catch((e) => e);
    expect(sv.status).toBe(409);
    expect(fs.existsSync(path.join(tree, "tmp/during-pack.txt"))).toBe(false);
    expect(fs.readFileSync(path.join(tree, "etc/motd"), "utf8")).toBe(before);
    expect((await finished(jobId)).state).toBe("succeeded");
    await save("edited after the pack\n");
    expect(fs.readFileSync(path.join(tree, "etc/motd"), "utf8")).toBe("edited after the pack\n");
  });

  it("a save waiting for its transaction counts as in flight: the pack refuses until it is done", async () => {
    const saving = save("saved while someone clicks Pack\n");
    const err = await packImage({ name: NAME, user }).catch((e) => e);
    expect(err.status).toBe(409);
    expect(err.message).toContain("1 save to image");
    await saving;
    const { jobId } = await packImage({ name: NAME, user });
    expect((await finished(jobId)).state).toBe("succeeded");
  });
});
