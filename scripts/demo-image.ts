// Creates the demo osimage in the local registry (once; later runs do nothing).
// Usage: ROOTIMG_DATA_DIR=... node --import tsx scripts/demo-image.ts
import path from "node:path";
import { loadEnv } from "../lib/env";

const config = loadEnv();
process.env.DATABASE_URL ??= config.DATABASE_URL;
const { LocalBackend } = await import("../lib/xcat/local-backend");
const { ensureDemoImage } = await import("../lib/xcat/demo-image");
const imagesDir = path.join(config.dataDir, "images");
try {
  const r = await ensureDemoImage({ backend: new LocalBackend(imagesDir), imagesDir, log: (l) => console.log(l) });
  console.log(r.created ? `demo image created in ${r.dir}` : `demo image already present in ${r.dir}`);
} catch (e) {
  console.error(`error: ${(e as Error).message}`);
  process.exit(1);
}
