import { prisma } from "@/lib/db/client";

export const MAX_NODES_KEY = "deploy.maxNodes";
export const XCAT_BOOT_TIMEOUT_KEY = "deploy.xcatBootTimeoutSec";
export const DEFAULT_MAX_NODES = 10;
export const DEFAULT_XCAT_BOOT_TIMEOUT_SEC = 900;

export type DeploySettings = { maxNodes: number; xcatBootTimeoutSec: number };

async function intSetting(key: string, dflt: number): Promise<number> {
  const s = await prisma.setting.findUnique({ where: { key } });
  const n = s ? Number(s.value) : dflt;
  return Number.isInteger(n) && n >= 1 ? n : dflt;
}

/** The admin's rails for deploys: how many nodes one deploy may touch, how long an xCAT node may take to boot. */
export async function getDeploySettings(): Promise<DeploySettings> {
  return {
    maxNodes: await intSetting(MAX_NODES_KEY, DEFAULT_MAX_NODES),
    xcatBootTimeoutSec: await intSetting(XCAT_BOOT_TIMEOUT_KEY, DEFAULT_XCAT_BOOT_TIMEOUT_SEC),
  };
}

export async function setDeploySettings(
  s: DeploySettings,
  audit: (tx: Parameters<Parameters<typeof prisma.$transaction>[0]>[0]) => Promise<void>,
): Promise<DeploySettings> {
  await prisma.$transaction(async (tx) => {
    for (const [key, v] of [
      [MAX_NODES_KEY, s.maxNodes],
      [XCAT_BOOT_TIMEOUT_KEY, s.xcatBootTimeoutSec],
    ] as const)
      await tx.setting.upsert({ where: { key }, create: { key, value: String(v) }, update: { value: String(v) } });
    await audit(tx);
  });
  return s;
}
