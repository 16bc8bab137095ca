import path from "node:path";
import type { APIRequestContext } from "@playwright/test";
import { E2E_DATA_DIR } from "./e2e-env";
import { exportDemo } from "./export-demo";
import { uniqueName } from "./fixtures";
import { waitForJob } from "./wait-job";

export type OwnImage = { name: string; rootimgdir: string; tree: string };

/**
 * A new local image of the spec's own, imported from the demo image's bundle under a unique profile (as
 * `imgimport -f` would), so specs running at once never share an image; unpacked when asked.
 */
export async function newImage(
  admin: APIRequestContext,
  prefix: string,
  o: { unpacked?: boolean; dataDir?: string } = {},
): Promise<OwnImage> {
  const dataDir = o.dataDir ?? E2E_DATA_DIR;
  const bundle = await exportDemo(admin, dataDir);
  const profile = uniqueName(prefix).replace(/[^A-Za-z0-9._-]/g, "");
  await waitForJob(admin, await admin.post("/api/images/import", { data: { path: bundle, profile } }));
  const name = `debian12-x86_64-netboot-${profile}`;
  if (o.unpacked) await waitForJob(admin, await admin.post(`/api/images/${name}/unpack`, { data: { mode: "unpack" } }));
  const rootimgdir = path.join(dataDir, "images", name);
  return { name, rootimgdir, tree: path.join(rootimgdir, "rootimg") };
}
