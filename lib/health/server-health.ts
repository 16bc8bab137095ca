import { prisma } from "@/lib/db/client";
import { env } from "@/lib/env";
import { getBackend } from "@/lib/xcat/select-backend";
import { checkHealth, type Health } from "./check-health";

/** This server's health: its database, its image backend, its data directory and the image directories. */
export async function serverHealth(): Promise<Health> {
  const h = await checkHealth({
    dataDir: env().dataDir,
    database: async () => {
      await prisma.$queryRaw`SELECT 1`;
    },
    backend: async () => {
      const backend = getBackend();
      const images = await backend.listImages();
      return { kind: backend.kind, imageDirs: images.map((i) => i.rootimgdir).filter(Boolean) };
    },
  });
  if (env().insecureRemote) {
    h.checks.splice(1, 0, {
      name: "transport",
      status: "warning",
      message: `plain HTTP on ${env().HOST} (ROOTIMG_INSECURE_HTTP=1): passwords cross the network unencrypted; use ROOTIMG_TLS=1 or an SSH tunnel`,
    });
    if (h.status === "ok") h.status = "warning";
  }
  return h;
}
