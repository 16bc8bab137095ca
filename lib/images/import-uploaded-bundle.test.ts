/** Upload and download of bundles through lib/images (the routes only pass the request body along). */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { createTempDatabase } from "@/lib/xcat/test-db";

const dir = createTempDatabase("image-upload-");
process.env.ROOTIMG_XCAT_LOCK_DIR = path.join(dir, "lock");
const { prisma } = await import("@/lib/db/client");
const { activeJobs } = await import("@/lib/jobs/active-jobs");
const { prepareImagesAtStart } = await import("./prepare-images-at-start");
const { exportImage } = await import("./import-export-image");
const { importUploadedBundle } = await import("./import-uploaded-bundle");
const { openExportDownload } = await import("./open-export-download");
const { DEMO_IMAGE_NAME } = await import("@/lib/xcat/demo-files");
const { getBackend } = await import("@/lib/xcat/select-backend");
const user = { id: "a1", username: "admin1" };

async function finished(jobId: string) {
  await activeJobs.get(jobId)?.finished;
  return prisma.job.findUniqueOrThrow({ where: { id: jobId } });
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream as unknown as AsyncIterable<Uint8Array>) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

describe("bundle upload and download", () => {
  it("says there is no export yet, then streams the exported bundle with its size", async () => {
    await prepareImagesAtStart(() => {});
    expect(() => openExportDownload(DEMO_IMAGE_NAME)).toThrow(/no export of .* yet; export it first/);
    const exported = await finished(await exportImage({ user, name: DEMO_IMAGE_NAME }));
    expect(exported.state).toBe("succeeded");
    // progress in bytes of what the bundle carries (archive, kernel, initrd), complete at the end
    const archiveBytes = fs.statSync(path.join(dir, "images", DEMO_IMAGE_NAME, "rootimg.cpio.gz")).size;
    expect(exported.unit).toBe("bytes");
    expect(exported.total).toBeGreaterThanOrEqual(archiveBytes);
    expect(exported.done).toBe(exported.total);
    // one export of an image at a time (both would write the same bundle); the next one after it ended runs
    const both = await Promise.allSettled([exportImage({ user, name: DEMO_IMAGE_NAME }), exportImage({ user, name: DEMO_IMAGE_NAME })]);
    const ran = both.find((r) => r.status === "fulfilled") as PromiseFulfilledResult<string>;
    const refused = both.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: "conflict", message: expect.stringMatching(/already running for an export of/) });
    expect((await finished(ran.value)).state).toBe("succeeded");
    expect((await finished(await exportImage({ user, name: DEMO_IMAGE_NAME }))).state).toBe("succeeded");
    const d = openExportDownload(DEMO_IMAGE_NAME);
    const bytes = await readAll(d.stream);
    expect(d.filename).toBe(`${DEMO_IMAGE_NAME}.tgz`);
    expect(bytes.length).toBe(d.size);
    expect(bytes.equals(fs.readFileSync(path.join(dir, "exports", `${DEMO_IMAGE_NAME}.tgz`)))).toBe(true);
  });

  it("stores an uploaded body, imports it as a job under a new profile, and removes the upload", async () => {
    const d = openExportDownload(DEMO_IMAGE_NAME);
    const jobId = await importUploadedBundle({ user, body: d.stream, profile: "uploaded" });
    const job = await finished(jobId);
    expect(job.error).toBeNull();
    expect(JSON.parse(job.result!).imagename).toBe("debian12-x86_64-netboot-uploaded");
    expect((await getBackend().getImage("debian12-x86_64-netboot-uploaded")).profile).toBe("uploaded");
    expect(fs.readdirSync(path.join(dir, "uploads"))).toEqual([]);
  });

  it("refuses a missing or empty body and leaves nothing in uploads", async () => {
    await expect(importUploadedBundle({ user, body: null })).rejects.toThrow(/send the bundle/);
    await expect(importUploadedBundle({ user, body: new Blob([]).stream() })).rejects.toThrow(/the uploaded bundle is empty/);
    expect(fs.readdirSync(path.join(dir, "uploads"))).toEqual([]);
  });

  it("refuses a bundle whose root image archive is garbage or truncated, registers nothing and keeps no version", async () => {
    const src = path.join(dir, "exports", `${DEMO_IMAGE_NAME}.tgz`);
    const header = (name: string, size: number) => {
      const f = [1, 0o100644, 0, 0, 1, 0, size, 0, 0, 0, 0, name.length + 1, 0].map((n) => n.toString(16).padStart(8, "0")).join("");
      const head = Buffer.from(`070701${f}${name}\0`);
      return Buffer.concat([head, Buffer.alloc((4 - (head.length % 4)) % 4)]);
    };
    const cases: [string, Buffer, RegExp][] = [
      [
        "garbage",
        Buffer.from("this is not an archive at all\n".repeat(100)),
        /rootimg\.cpio\.gz is not a valid root image archive \(.+\); nothing was imported/,
      ],
      // one entry claiming 4 GB with a few bytes behind it: the stream ends long before the entry does
      [
        "huge",
        zlib.gzipSync(Buffer.concat([header("etc/huge", 0xffffffff), Buffer.alloc(4096, 7)])),
        /rootimg\.cpio\.gz is not a valid root image archive \(.*(truncat|end).*\)/i,
      ],
    ];
    for (const [profile, archive, message] of cases) {
      const work = fs.mkdtempSync(path.join(dir, "bad-bundle-"));
      execFileSync("tar", ["-xzf", src, "-C", work]);
      const [top] = fs.readdirSync(work);
      fs.writeFileSync(path.join(work, top, "rootimg.cpio.gz"), archive);
      const bad = path.join(work, "bad.tgz");
      execFileSync("tar", ["-czf", bad, "-C", work, top]);
      const job = await finished(await importUploadedBundle({ user, body: new Blob([fs.readFileSync(bad)]).stream(), profile }));
      expect(job.state, profile).toBe("failed");
      expect(job.error, profile).toMatch(message);
      await expect(getBackend().getImage(`debian12-x86_64-netboot-${profile}`)).rejects.toThrow(/not found|does not exist|no osimage/i);
      expect(await prisma.imageVersion.count({ where: { image: `debian12-x86_64-netboot-${profile}` } })).toBe(0);
    }
    expect(fs.readdirSync(path.join(dir, "uploads"))).toEqual([]);
    expect(fs.readdirSync(path.join(dir, "tmp")).filter((n) => n.startsWith("imgimport."))).toEqual([]);
  });
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
