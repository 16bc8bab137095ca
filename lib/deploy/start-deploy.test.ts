/**
 * The deploy's rails on the local backend (real SQLite): what is refused before a job starts, the plan the
 * confirm screen shows, and a node whose boot cannot start failing with the reason while the job records it.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createTempDatabase } from "@/lib/xcat/test-db";

const dir = createTempDatabase("deploy-");
const { prisma } = await import("@/lib/db/client");
const { activeJobs } = await import("@/lib/jobs/active-jobs");
const { startDeploy, listDeployTargets } = await import("./start-deploy");

const editor = { id: "u-ed", username: "ed", role: "editor" };
const admin = { id: "u-ad", username: "ad", role: "admin" };
const UUID = "11111111-2222-3333-4444-555555555555";

async function image(name: string, osarch: string, packed: boolean) {
  const rootimgdir = path.join(dir, "images", name);
  fs.mkdirSync(rootimgdir, { recursive: true });
  await prisma.image.create({ data: { imagename: name, osvers: "debian12", osarch, profile: "compute", rootimgdir } });
  if (packed)
    await prisma.imageVersion.create({
      data: {
        image: name,
        seq: 1,
        file: path.join(rootimgdir, "rootimg.cpio.gz"),
        format: "cpio.gz",
        size: 1,
        stampUuid: UUID,
        packedBy: "ad",
        live: true,
      },
    });
}

await image("img-x86", "x86_64", true);
await image("img-never", "x86_64", false);
await image("img-ppc", "ppc64le", true);
for (const name of ["th1", "th2"]) await prisma.testHost.create({ data: { name, image: "img-x86" } });

const err = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("not refused");
    },
    (e: { code: string; message: string }) => ({ code: e.code, message: e.message }),
  );

describe("deploy rails", () => {
  it("returns the plan without starting anything when not confirmed", async () => {
    const r = await startDeploy({ user: editor, source: { kind: "image", image: "img-x86" }, testHosts: ["th1"], confirm: false });
    expect(r.jobId).toBeUndefined();
    expect(r.plan).toMatchObject({ image: "img-x86", seq: 1, stampUuid: UUID, targets: [{ name: "th1", kind: "testhost" }] });
  });

  it("refuses: no nodes, an unknown node, an image never packed, an architecture mismatch, an editor on xCAT nodes, too many nodes", async () => {
    const base = { user: admin, confirm: false } as const;
    expect(await err(startDeploy({ ...base, source: { kind: "image", image: "img-x86" } }))).toMatchObject({
      code: "unprocessable",
      message: expect.stringContaining("pick the nodes"),
    });
    expect(await err(startDeploy({ ...base, source: { kind: "image", image: "img-x86" }, testHosts: ["zz"] }))).toEqual({
      code: "not_found",
      message: "unknown test host zz",
    });
    expect(await err(startDeploy({ ...base, source: { kind: "image", image: "img-never" }, testHosts: ["th1"] }))).toEqual({
      code: "unprocessable",
      message: "img-never was never packed: pack it before deploying",
    });
    expect(await err(startDeploy({ ...base, source: { kind: "image", image: "img-ppc" }, testHosts: ["th1"] }))).toEqual({
      code: "unprocessable",
      message: "th1 is an x86_64 test host; img-ppc is ppc64le",
    });
    expect(await err(startDeploy({ ...base, source: { kind: "version", image: "img-x86", seq: 7 }, testHosts: ["th1"] }))).toMatchObject({
      code: "not_found",
    });
    const denied = await err(startDeploy({ user: editor, confirm: true, source: { kind: "image", image: "img-x86" }, nodes: ["cn01"] }));
    expect(denied.code).toBe("forbidden");
    expect(await prisma.auditLog.findFirst({ where: { action: "deploy", outcome: "denied", username: "ed" } })).not.toBeNull();
    await prisma.setting.create({ data: { key: "deploy.maxNodes", value: "1" } });
    try {
      expect(await err(startDeploy({ ...base, source: { kind: "image", image: "img-x86" }, testHosts: ["th1", "th2"] }))).toEqual({
        code: "unprocessable",
        message: "2 nodes picked; an admin allows at most 1 per deploy",
      });
    } finally {
      await prisma.setting.delete({ where: { key: "deploy.maxNodes" } });
    }
  });

  it("refuses a second deploy to a node already deploying; a boot that cannot start fails that node with the reason", async () => {
    const first = await startDeploy({ user: editor, source: { kind: "image", image: "img-x86" }, testHosts: ["th1"], confirm: true });
    expect(first.jobId).toBeDefined();
    expect(
      await err(startDeploy({ user: editor, source: { kind: "image", image: "img-x86" }, testHosts: ["th1", "th2"], confirm: true })),
    ).toEqual({ code: "conflict", message: `already deploying: th1 (job ${first.jobId})` });
    await activeJobs.get(first.jobId!)?.finished;
    const job = await prisma.job.findUniqueOrThrow({ where: { id: first.jobId } });
    expect(job.state).toBe("failed");
    expect(job.error).toBe("deploy of img-x86 version 1: 0 of 1 verified, 1 failed");
    const [t] = await listDeployTargets(first.jobId!);
    // the image has no kernel and no archive: QEMU is not even started
    expect(t).toMatchObject({ node: "th1", state: "failed", expectedUuid: UUID });
    expect(t.message).toMatch(/kernel does not exist|rootimg\.cpio\.gz does not exist|qemu-system-x86/);
    expect(t.history.map((h) => h.state)).toEqual(["pending", "nodeset", "failed"]);
    // nodeset was audited with the node; the node is free again
    expect(await prisma.auditLog.findFirst({ where: { action: "node.nodeset", node: "th1", outcome: "ok" } })).not.toBeNull();
    expect((await prisma.testHost.findUniqueOrThrow({ where: { name: "th1" } })).versionSeq).toBe(1);
    const again = await startDeploy({ user: editor, source: { kind: "image", image: "img-x86" }, testHosts: ["th1"], confirm: true });
    await activeJobs.get(again.jobId!)?.finished;
  });
});

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
