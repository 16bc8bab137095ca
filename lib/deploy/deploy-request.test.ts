/**
 * A version packed from a change request, deployed: the request becomes "deployed" only for the nodes that proved
 * they booted it (their stamp matched), never when a deploy merely started. QEMU is stood in for here (the real
 * boot is e2e/deploy.spec.ts); the job, the deploy rows and the request's state machine are the real ones.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { createTempDatabase } from "@/lib/xcat/test-db";

const UUID = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee";
/** What each test host's boot reports, by host name. */
const boots = new Map<string, { ok: true; xcatinfo: Record<string, string> } | { ok: false; message: string }>();

vi.mock("@/lib/nodes/test-host-runner", () => ({
  isRunning: () => false,
  powerOff: async () => {},
  powerOn: async () => {},
  waitForBoot: async (host: string) => boots.get(host) ?? { ok: false, message: "no boot scripted" },
}));
vi.mock("@/lib/nodes/test-hosts", async (orig) => ({
  ...(await orig<typeof import("@/lib/nodes/test-hosts")>()),
  resolveBoot: async () => ({ spec: {}, seq: 1, stampUuid: UUID }),
}));

const dir = createTempDatabase("deploy-request-");
const { prisma } = await import("@/lib/db/client");
const { activeJobs } = await import("@/lib/jobs/active-jobs");
const { startDeploy } = await import("./start-deploy");

const ed = { id: "u-ed", username: "ed", role: "editor" };
const IMG = "img-rq";

const rootimgdir = path.join(dir, "images", IMG);
fs.mkdirSync(rootimgdir, { recursive: true });
await prisma.image.create({ data: { imagename: IMG, osvers: "debian12", osarch: "x86_64", profile: "compute", rootimgdir } });
for (const name of ["ok1", "bad1", "other1"]) await prisma.testHost.create({ data: { name, image: IMG } });
boots.set("ok1", { ok: true, xcatinfo: { IMAGEUUID: UUID, IMAGENAME: IMG } });
boots.set("bad1", { ok: false, message: "kernel panic" });
boots.set("other1", { ok: true, xcatinfo: { IMAGEUUID: "99999999-0000-0000-0000-000000000000", IMAGENAME: IMG } });

async function packedRequest(): Promise<number> {
  const r = await prisma.changeRequest.create({ data: { image: IMG, title: "t", state: "packed", authorName: "al", packedSeq: 1 } });
  await prisma.imageVersion.deleteMany({ where: { image: IMG } });
  await prisma.imageVersion.create({
    data: {
      image: IMG,
      seq: 1,
      file: path.join(rootimgdir, "rootimg.cpio.gz"),
      format: "cpio.gz",
      size: 1,
      stampUuid: UUID,
      packedBy: "ad",
      live: true,
      changeId: String(r.id),
    },
  });
  return r.id;
}

async function deploy(hosts: string[]) {
  const { jobId, plan } = await startDeploy({ user: ed, source: { kind: "image", image: IMG }, testHosts: hosts, confirm: true });
  await activeJobs.get(jobId!)?.finished;
  return plan;
}

afterAll(async () => {
  await prisma.$disconnect();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("a change request's deploy", () => {
  it("stays packed when no node booted the version (a deploy that only started proves nothing)", async () => {
    const id = await packedRequest();
    const plan = await deploy(["bad1", "other1"]);
    expect(plan.changeId).toBe(String(id));
    expect((await prisma.changeRequest.findUniqueOrThrow({ where: { id } })).state).toBe("packed");
    expect(await prisma.changeRequestEvent.count({ where: { requestId: id, action: "deploy" } })).toBe(0);
  });

  it("is deployed to exactly the nodes whose stamp matched", async () => {
    const id = await packedRequest();
    await deploy(["ok1", "bad1", "other1"]);
    expect((await prisma.changeRequest.findUniqueOrThrow({ where: { id } })).state).toBe("deployed");
    const events = await prisma.changeRequestEvent.findMany({ where: { requestId: id, action: "deploy" } });
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0].detail ?? "{}")).toMatchObject({ seq: 1, nodes: ["ok1"] });
  });
});
