// Registers a tree as an unpacked image of the local backend (for scripts/bench/files only).
// Usage: ROOTIMG_DATA_DIR=... node --import tsx scripts/bench/files-register.ts NAME ROOTIMGDIR
import { loadEnv } from "../../lib/env";

const [name, rootimgdir] = process.argv.slice(2);
process.env.DATABASE_URL ??= loadEnv().DATABASE_URL;
const { prisma } = await import("../../lib/db/client");
await prisma.image.upsert({
  where: { imagename: name },
  create: { imagename: name, osvers: "debian12", osarch: "x86_64", profile: "bench", rootimgdir },
  update: { rootimgdir },
});
await prisma.workspace.upsert({
  where: { image: name },
  create: { image: name, state: "unpacked", unpackedAt: new Date(), unpackedBy: "bench" },
  update: { state: "unpacked" },
});
console.error(`registered ${name} at ${rootimgdir}`);
