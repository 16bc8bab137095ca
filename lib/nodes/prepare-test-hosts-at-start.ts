/**
 * Start-up work for test hosts, run by server.ts after the images are prepared: kill a QEMU the previous run
 * left, and on the local backend create the demo test host once (a user who deletes it does not get it back).
 */
import { prisma } from "@/lib/db/client";
import { DEMO_IMAGE_NAME } from "@/lib/xcat/demo-files";
import { getBackend } from "@/lib/xcat/select-backend";
import { cleanTestHostsAtStart } from "./test-host-runner";

export const DEMO_TEST_HOST = "testhost-a000";
const CREATED_KEY = "nodes.demoTestHostCreated";

export async function prepareTestHostsAtStart(log: (line: string) => void = console.log): Promise<void> {
  await cleanTestHostsAtStart(log);
  if (getBackend().kind !== "local" || process.env.ROOTIMG_DEMO_IMAGE === "0") return;
  if (await prisma.setting.findUnique({ where: { key: CREATED_KEY } })) return;
  if (!(await prisma.image.findUnique({ where: { imagename: DEMO_IMAGE_NAME } }))) return;
  await prisma.$transaction([
    prisma.testHost.upsert({
      where: { name: DEMO_TEST_HOST },
      create: { name: DEMO_TEST_HOST, image: DEMO_IMAGE_NAME, memoryMb: 256, bootTimeoutSec: 180 },
      update: {},
    }),
    prisma.setting.create({ data: { key: CREATED_KEY, value: new Date().toISOString() } }),
  ]);
  log(`test hosts: created ${DEMO_TEST_HOST}, which boots ${DEMO_IMAGE_NAME} in QEMU`);
}
